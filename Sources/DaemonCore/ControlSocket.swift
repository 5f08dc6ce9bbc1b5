import FoundationEssentials
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket: a Unix socket (mode 0600, owner only, never on the network) that takes one JSON
/// line per connection and answers one JSON line.
public final class ControlSocket: Service {
    private let channel: any Channel
    private let path: String
    private let logger: Logger

    /// Why the socket cannot be bound, in one line.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds `path` (a stale socket left by a daemon that died is replaced; a live one is not) with mode 0600.
    public static func bind(
        path: String,
        logger: Logger,
        handle: @escaping @Sendable ([UInt8]) async -> [UInt8]
    ) async throws(Problem) -> ControlSocket {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else {
                throw Problem(description: "\(path) exists and is not a socket; remove it or set control.socket")
            }
            if await Self.isAnswered(path) {
                throw Problem(description: "another daemon answers on \(path); give each daemon its own control.socket")
            }
            unlink(path)
        }
        // The socket is made owner-only from the start: no moment where others may connect.
        let previous = umask(0o177)
        defer { umask(previous) }
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: HTTPEndpoint.eventLoops)
                .serverChannelOption(.backlog, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(LineHandler(handle: handle))
                    }
                }
                .bind(unixDomainSocketPath: path)
                .get()
        } catch {
            throw Problem(description: "cannot listen on \(path): \(error)")
        }
        chmod(path, 0o600)
        return ControlSocket(channel: channel, path: path, logger: logger)
    }

    /// Whether something accepts connections on `path`.
    static func isAnswered(_ path: String) async -> Bool {
        do {
            let client = try await ClientBootstrap(group: HTTPEndpoint.eventLoops)
                .connectTimeout(.seconds(1))
                .connect(unixDomainSocketPath: path)
                .get()
            try? await client.close()
            return true
        } catch {
            return false
        }
    }

    private init(channel: any Channel, path: String, logger: Logger) {
        self.channel = channel
        self.path = path
        self.logger = logger
    }

    public func run() async throws {
        logger.notice("control socket listening", metadata: ["path": "\(path)"])
        try? await gracefulShutdown()
        try? await channel.close()
        unlink(path)
    }
}

/// Reads one line (at most 64 KiB) and answers it, then closes the connection.
final class LineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let handle: @Sendable ([UInt8]) async -> [UInt8]
    private var received: [UInt8] = []
    private var answered = false

    init(handle: @escaping @Sendable ([UInt8]) async -> [UInt8]) {
        self.handle = handle
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        if received.count > 65_536 {
            answered = true
            context.close(promise: nil)
            return
        }
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else { return }
        answered = true
        let line = Array(received[..<end])
        let channel = context.channel
        let handle = self.handle
        Task {
            var reply = await handle(line)
            reply.append(UInt8(ascii: "\n"))
            try? await channel.writeAndFlush(ByteBuffer(bytes: reply))
            try? await channel.close()
        }
    }
}
