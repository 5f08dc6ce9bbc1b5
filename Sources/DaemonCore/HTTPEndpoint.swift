public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// The daemon's HTTP listener, a service of the group: bound before the first cycle (so a taken port stops
/// the start with a clear error), closed at graceful shutdown.
public final class HTTPEndpoint: Service {
    private let channel: any Channel
    private let logger: Logger

    /// The bound address, as `host:port`.
    let address: String

    /// One thread serves the endpoint: a scrape or a webhook every few seconds needs no more, and NIO's
    /// singleton group would start a thread per core.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Binds `host:port`; throws a one-line reason when it cannot.
    public static func bind(
        host: String,
        port: Int,
        routes: DaemonRoutes,
        logger: Logger
    ) async throws
        -> HTTPEndpoint
    {
        let channel = try await ServerBootstrap(group: eventLoops)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Idle or slow clients are disconnected instead of holding a connection open.
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(routes: routes))
                }
            }
            .bind(host: host, port: port)
            .get()
        return HTTPEndpoint(channel: channel, logger: logger)
    }

    private init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
        let local = channel.localAddress
        let host = local?.ipAddress ?? "?"
        address = (host.contains(":") ? "[\(host)]" : host) + ":\(local?.port ?? 0)"
    }

    public func run() async throws {
        logger.notice("http endpoint listening", metadata: ["address": "\(address)"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// One request at a time per connection: head, body up to the limit, then the route's answer; the connection
/// is closed after each answer.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: DaemonRoutes
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false

    init(routes: DaemonRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            if let length = requestHead.headers.first(name: "content-length").flatMap(Int.init),
                length > DaemonRoutes.maxBodyBytes
            {
                refuseTooLarge(context: context)
            }
        case .body(var buffer):
            guard !refused else { return }
            if body.count + buffer.readableBytes > DaemonRoutes.maxBodyBytes {
                refuseTooLarge(context: context)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !refused, let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let reply = routes.respond(method: head.method.rawValue, path: head.uri, headers: headers, body: body)
            write(reply, includeBody: head.method != .HEAD, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func refuseTooLarge(context: ChannelHandlerContext) {
        refused = true
        body = []
        write(
            HTTPReply(413, "request body over \(DaemonRoutes.maxBodyBytes) bytes refused"),
            includeBody: true,
            context: context
        )
    }

    private func write(_ reply: HTTPReply, includeBody: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: "\(reply.body.count)")
        headers.add(name: "Connection", value: "close")
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil
        )
        if includeBody {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))),
                promise: nil
            )
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
