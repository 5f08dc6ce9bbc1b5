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
        let connections = ConnectionTable()
        let channel = try await ServerBootstrap(group: eventLoops)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    // Every slot holds a request being answered: this one is turned away.
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(routes: routes, connections: connections)
                    )
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

/// One request per connection: the head within 5 s and the whole request within 30 s, the body read only for a
/// webhook that could be valid; the connection is closed after the answer.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Time to send the request head.
    static let headDeadline = TimeAmount.seconds(5)
    /// Time to send the whole request.
    static let requestDeadline = TimeAmount.seconds(30)

    let routes: DaemonRoutes
    let connections: ConnectionTable
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false
    private var headDeadline: Scheduled<Void>?
    private var requestDeadline: Scheduled<Void>?

    init(routes: DaemonRoutes, connections: ConnectionTable) {
        self.routes = routes
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let loop = context.eventLoop
        // The head deadline is cancelled when the head arrives; the request deadline only by the close.
        headDeadline = loop.scheduleTask(in: Self.headDeadline) { channel.close(promise: nil) }
        requestDeadline = loop.scheduleTask(in: Self.requestDeadline) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headDeadline?.cancel()
        requestDeadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            headDeadline?.cancel()
            connections.headReceived(context.channel)
            var headers: [String: String] = [:]
            for (name, value) in requestHead.headers { headers[name.lowercased()] = value }
            // Only a webhook that could be valid has its body read; anything else is answered from its head.
            guard requestHead.method == .POST, routes.wantsBody(path: requestHead.uri, headers: headers) else {
                refused = true
                let reply = routes.respond(
                    method: requestHead.method.rawValue,
                    path: requestHead.uri,
                    headers: headers,
                    body: []
                )
                write(reply, includeBody: requestHead.method != .HEAD, context: context)
                return
            }
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
        connections.answering(context.channel)
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
