import ArgumentParser
import Dispatch
import Foundation
import Glibc
import LockWatchUI
import RESP
import RedisLock

/// `lockwatch events`: the change stream printed as it happens, for incident logs and scripts.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print lock events as they happen: acquired, extended, holder-changed, released, expired, force-released.",
        discussion: """
            One line per event (time, event, key, holder), or with --json one JSON object per \
            line: at_ms (server clock, Unix ms), time (ISO 8601), event, key, key_base64, owner, \
            source (stream, scan or notification) and detail. The events come from the server's \
            change stream (CLIENT TRACKING, Redis 6+): after one scan only changed keys are read. \
            When the stream was lost (a reconnect, FLUSHALL) the locks are scanned again: a \
            'rescanned' event says why, followed by what changed meanwhile. Where the server \
            cannot stream (Redis < 6, a proxy, CLIENT denied), it rescans every --interval \
            (a note on stderr says so). Ends on Ctrl-C, SIGTERM or when the reader of the \
            output goes away (| head), with status 0.
            Exit codes: 0 ended; 64 bad usage; 69 Redis unreachable at the start; 77 \
            authentication or permission refused.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: WatchedKeys.prefixHelp)
    var prefix: [String] = []

    @Option(help: "Watch keys matching this glob instead (SCAN MATCH syntax).")
    var match: String?

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    @Option(help: "How often to check the stream (and rescan, when it cannot stream).")
    var interval = DurationOption(argument: "1s")!

    @Option(help: "The shortest time a verification pass over every key takes while streaming (a slice at each check; longer when it would take over 1% of the server).")
    var sweep = DurationOption(argument: "60s")!

    func validate() throws {
        if !prefix.isEmpty && match != nil { throw ValidationError("give --prefix or --match, not both") }
        guard interval.duration >= .milliseconds(100) else { throw ValidationError("--interval must be at least 100ms") }
    }

    func run() async throws {
        let output = LineOutput()
        let (stops, stop) = AsyncStream.makeStream(of: Void.self)
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.yield() }
            source.resume()
            return source
        }
        defer { for source in signals { source.cancel() } }
        let connected = try await connection.target().connect()
        let context = try connection.selectedContext()
        let selection = WatchedKeys.selection(prefixes: prefix, match: match, context: context)
        let json = self.json
        let live = LiveInspector(inspector: LockInspector(servers: connected.servers, selection: selection), sweepInterval: sweep.duration) { event in
            if !output.write(Self.line(event, json: json)) { stop.yield() }
        }
        do {
            let first = try await live.refresh()
            if case .scanning(let reason) = first.mode { printError("note: \(TerminalText.sanitize(reason))") }
            printError("watching \(first.locks.count) locks under \(TerminalText.sanitize(selection.description)) (\(first.mode?.name ?? "scanning"))")
        } catch {
            await connected.shutdown()
            throw redisExitCode(for: error)
        }
        let interval = self.interval.duration
        let refreshing = Task {
            var failing = false
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do throws(RedisError) {
                    _ = try await live.refresh()
                    if failing { printError("reconnected") }
                    failing = false
                } catch {
                    if !failing { printError("lost the connection, retrying: \(TerminalText.sanitize(error.message))") }
                    failing = true
                }
            }
        }
        for await _ in stops { break }
        refreshing.cancel()
        await live.stop()
        await connected.shutdown()
    }

    /// One event as a line of text or JSON (every string from Redis escaped).
    static func line(_ event: LockEvent, json: Bool) -> String {
        let time = Self.isoTime(event.atMilliseconds)
        if json {
            return JSONText.render(.object([
                ("at_ms", .integer(event.atMilliseconds)),
                ("time", .string(time)),
                ("event", .string(event.kind.rawValue)),
                ("key", .string(event.key)),
                ("key_base64", .string(Data(event.keyBytes).base64EncodedString())),
                ("owner", event.owner.map { .string($0) } ?? .null),
                ("source", .string(event.source.rawValue)),
                ("detail", event.detail.map { .string($0) } ?? .null),
            ])) + "\n"
        }
        var line = time + "  " + event.kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + TerminalText.sanitize(event.keyBytes)
        if let owner = event.owner { line += "  by " + TerminalText.sanitize(owner) }
        if let detail = event.detail { line += (event.keyBytes.isEmpty ? "" : "  ") + TerminalText.sanitize(detail) }
        return line + "\n"
    }

    /// `2026-12-06T09:10:11.123Z`.
    static func isoTime(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
