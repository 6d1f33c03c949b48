import ArgumentParser
import Foundation
import LockWatchUI
import RESP
import RedisLock

/// `lockwatch list`: the locks under a prefix or glob, as a table or JSON.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List locks (SCAN, never KEYS) with owner, token, TTL, fence and waiters.",
        discussion: """
            Rows are written as they are read (the first 1,000 sorted by key and setting the \
            table's column widths, later ones in scan order), so any number of locks lists in \
            little memory. JSON (--json) is an array, --ndjson one object per line, of objects with key (invalid UTF-8 shown as U+FFFD), \
            key_base64 (the exact bytes, for `release --key-base64`), format, type, owner, token, ttl_ms \
            (null: no TTL, the lock never expires), fence, waiters, acquired_ms, age_ms, \
            acquisitions_per_second, stuck, clock ("server", or "local": ages from this \
            machine's clock) and waiters_unknown (true: this library's lock, waiters not \
            countable); on a cluster also node; on a Redlock set (several \
            --url) also nodes_held, nodes_total, quorum (one holder on a majority) and \
            holders_agree, with ttl_ms how long that majority lasts. Every primary of a cluster \
            is scanned. Every non-ASCII or control character in JSON is \
            a \\u escape; in the table, control and format characters are shown escaped. \
            When the ACL user may not run an optional command (TIME, PUBSUB, MGET, EXISTS), \
            the locks are listed anyway and a note on stderr says what is missing.
            Through a proxy (Codis, twemproxy) there is no SCAN, TIME or PUBSUB: Codis is \
            listed with SLOTSSCAN over its 1024 slots through the proxy, twemproxy's backends \
            with SCAN on each --scan-node (required there; values are still read through the \
            proxy); ages use this machine's clock (marked * in the table, "clock":"local" in \
            JSON) and waiters are unknown (? in the table); the table ends with a line \
            'via codis proxy' (stderr with --json).
            Exit codes: 0 success (also when no locks match); 64 bad usage; 69 Redis \
            unreachable (also: some nodes of several did not answer; the others are listed); \
            77 authentication or permission refused (NOPERM on a command the listing needs: \
            the message names it and the ACL rule to add).
            After the table, "also seen:" names lock keys in known formats outside the prefixes \
            (from a sample of at most 5 SCAN batches of 1000 keys), with the --prefix to add \
            (on stderr with --json and --ndjson).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var scanNodes: ScanNodeOptions

    @Option(help: WatchedKeys.prefixHelp)
    var prefix: [String] = []

    @Option(help: "List keys matching this glob instead (SCAN MATCH syntax). (Default: none.)")
    var match: String?

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Flag(help: "Print one JSON object per line (NDJSON) instead of a table.")
    var ndjson = false

    func validate() throws {
        if !prefix.isEmpty && match != nil { throw ValidationError("give --prefix or --match, not both") }
        if json && ndjson { throw ValidationError("give --json or --ndjson, not both") }
    }

    func run() async throws {
        let nodes = try scanNodes.clients(passwordFile: connection.passwordFile)
        let connected = try await connection.target().connect()
        let selection = try WatchedKeys.selection(prefixes: prefix, match: match, context: connection.selectedContext())
        let inspector = LockInspector(servers: connected.servers, selection: selection, scanNodes: nodes)
        func shutdown() async {
            await connected.shutdown()
            for node in nodes { await node.shutdown() }
        }
        let conditions = await inspector.expectedConditions()
        if conditions.proxy == .twemproxy && nodes.isEmpty {
            await shutdown()
            printError(LockInspector.scanNodesRequired.message)
            throw LockwatchExit.usage
        }
        let output = LineOutput()
        let writer = ListWriter(format: json ? .json : ndjson ? .ndjson : .table, output: output, conditions: conditions)
        let snapshot: InspectionSnapshot
        do {
            // Rows are written as they are decoded, not gathered first.
            snapshot = try await inspector.scan { locks, serverTime in writer.add(locks, serverTime: serverTime) }
        } catch {
            await shutdown()
            throw redisExitCode(for: error)
        }
        // Locks the prefixes leave out, from a bounded sample (not for an explicit glob).
        var alsoSeen: [AlsoSeenPrefix] = []
        if case .glob = selection {} else { alsoSeen = await AlsoSeenSampler.sample(connected.servers, outside: selection) }
        await shutdown()
        writer.finish(serverTime: snapshot.serverTimeMilliseconds)
        for note in snapshot.notes { printError("note: \(TerminalText.sanitize(note))") }
        if !json && !ndjson {
            let count = writer.count
            output.write("\(count) lock\(count == 1 ? "" : "s") under \(TerminalText.sanitize(selection.description)) (\(snapshot.scannedKeys) keys scanned, \(snapshot.commandCount) commands)\n")
            if let line = WatchedKeys.alsoSeenLine(alsoSeen) { output.write(line + "\n") }
        } else if let line = WatchedKeys.alsoSeenLine(alsoSeen) {
            printError("note: " + line)
        }
        if let line = Self.proxyLine(conditions, scanNodes: nodes.count) {
            if json || ndjson { printError(line) } else { output.write(line + "\n") }
        }
        if !snapshot.unreachableNodes.isEmpty {
            for node in snapshot.unreachableNodes { printError("not answering, its locks are missing: \(TerminalText.sanitize(node))") }
            throw LockwatchExit.unavailable
        }
    }

    /// `via codis proxy (keys listed with SLOTSSCAN …)` and what the marks mean; `nil`
    /// without a proxy.
    static func proxyLine(_ conditions: ScanConditions, scanNodes: Int) -> String? {
        guard let via = conditions.proxyLine else { return nil }
        let listing = scanNodes > 0 ? "keys listed with SCAN on \(scanNodes) --scan-node" : "keys listed with SLOTSSCAN over 1024 slots"
        return "\(via) (\(listing); HELD* from this machine's clock, no TIME; WAITERS ? unknown, no PUBSUB)"
    }

    static func json(_ lock: InspectedLock, now: Int64, conditions: ScanConditions = ScanConditions()) -> JSONText.Value {
        .object([
            ("key", .string(lock.key)),
            ("key_base64", .string(Data(lock.keyBytes).base64EncodedString())),
            ("format", .string(lock.format.rawValue)),
            ("type", .string(lock.type)),
            ("owner", lock.owner.map { .string($0) } ?? .null),
            ("token", lock.token.map { .string($0) } ?? .null),
            ("ttl_ms", lock.ttlMilliseconds.map { .integer($0) } ?? .null),
            ("fence", lock.fence.map { .integer($0) } ?? .null),
            ("waiters", lock.waiters.map { .integer(Int64($0)) } ?? .null),
            ("acquired_ms", lock.acquiredAtMilliseconds.map { .integer($0) } ?? .null),
            ("age_ms", lock.ageMilliseconds(at: now).map { .integer($0) } ?? .null),
            ("acquisitions_per_second", lock.acquisitionsPerSecond.map { .double($0) } ?? .null),
            ("stuck", .bool(lock.isStuck)),
            ("clock", .string(conditions.clockIsLocal ? "local" : "server")),
            ("waiters_unknown", .bool(PlainLockTable.waitersUnknown(lock, conditions))),
        ] + placementFields(lock.placement) + KindColumns.json(lock.kind))
    }

    /// Where the lock lives, for JSON: the cluster node, or a Redlock lock's copies.
    static func placementFields(_ placement: LockPlacement?) -> [(String, JSONText.Value)] {
        switch placement {
        case nil: []
        case .node(let address): [("node", .string(address))]
        case .copies(let copies): [
            ("nodes_held", .integer(Int64(copies.copies.count))),
            ("nodes_total", .integer(Int64(copies.nodeCount))),
            ("quorum", .bool(copies.hasQuorum)),
            ("holders_agree", .bool(copies.holdersAgree)),
        ]
        }
    }
}

/// Maps a Redis error to a message on stderr and an exit code.
func redisExitCode(for error: RedisError) -> ExitCode {
    printError(TerminalText.sanitize(error.message))
    switch error.code {
    case .authenticationFailed, .permissionDenied: return LockwatchExit.permission
    case .connectionFailed, .connectionClosed, .timeout, .tlsFailure: return LockwatchExit.unavailable
    default: return LockwatchExit.software
    }
}
