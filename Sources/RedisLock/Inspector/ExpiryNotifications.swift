public import RESP

/// Reports lock expiries the moment the server announces them, when the server already
/// publishes expired-key events (`notify-keyspace-events` includes `E` and `x` or `A`).
///
/// It only reads the setting (`CONFIG GET`) and never changes it: where notifications are
/// off, or `CONFIG` is denied or renamed, it says so and the inspector keeps inferring
/// expiries from its scans. Where they are on, it subscribes to `__keyevent@<db>__:expired`,
/// keeps the keys of the inspector's selection, and hands each expiry to
/// ``LockInspector/noteExpired(_:at:)``, which dates it and stops later scans from reporting
/// it again (or mistaking it for a release).
///
/// ```swift
/// let notifications = ExpiryNotifications(inspector: inspector)
/// let listening = Task { await notifications.run { notice in print(notice) } }
/// ```
public struct ExpiryNotifications: Sendable {
    /// What the listener has to say.
    public enum Notice: Sendable, Hashable {
        /// Subscribed to this channel: expiries now arrive as they happen.
        case listening(channel: String)
        /// Not listening, and why (notifications off, `CONFIG` refused, subscription lost).
        case unavailable(String)
        /// A watched lock expired.
        case expired(LockEvent)
    }

    /// The inspector whose selection and history the expiries go to.
    public let inspector: LockInspector
    /// How long to wait before subscribing again after the connection was lost.
    public var retryDelay: Duration

    /// Makes a listener for `inspector`'s keys (on the inspector's servers).
    public init(inspector: LockInspector, retryDelay: Duration = .seconds(1)) {
        self.inspector = inspector
        self.retryDelay = retryDelay
    }

    /// Whether a `notify-keyspace-events` value makes the server publish expired-key events
    /// on the keyevent channel: `E` plus `x` (or `A`, which includes it).
    public static func publishesExpiredKeyEvents(_ flags: String) -> Bool {
        flags.contains("E") && (flags.contains("x") || flags.contains("A"))
    }

    /// The channel expired-key events of `database` are published on.
    public static func expiredChannel(database: Int) -> String {
        "__keyevent@\(database)__:expired"
    }

    /// A server's `notify-keyspace-events` value (read, never written).
    public func serverFlags(of client: RedisClient) async throws(RedisError) -> String {
        let reply = try await client.send("CONFIG", "GET", "notify-keyspace-events")
        let settings = try reply.decode(as: [String: String].self)
        guard let flags = settings["notify-keyspace-events"] else {
            throw RedisError(.unexpectedReply, "CONFIG GET did not return notify-keyspace-events")
        }
        return flags
    }

    /// Listens until the calling task is cancelled, handing every notice to `deliver`: on the
    /// server, or on every primary of a cluster side by side. A Redlock set gets an
    /// ``Notice/unavailable(_:)`` at once: one node's copy expiring does not end a lock held on
    /// a majority, so its expiries come from the scans.
    ///
    /// Returns early, after an ``Notice/unavailable(_:)``, when the server does not publish
    /// expired-key events or refuses to say; after a lost connection it subscribes again
    /// (expiries in the gap are left to the scans).
    public func run(_ deliver: @Sendable (Notice) async -> Void) async {
        var clients: [RedisClient] = []
        while !Task.isCancelled {
            do throws(RedisError) {
                clients = try await inspector.notificationClients()
                break
            } catch {
                await deliver(.unavailable("cannot find the cluster's primaries: \(error.message)"))
                try? await Task.sleep(for: retryDelay)
            }
        }
        if Task.isCancelled { return }
        if clients.isEmpty {  // a Redlock set
            await deliver(.unavailable("a Redlock set: expiries are inferred from the scans"))
            return
        }
        if clients.count == 1 {
            await listen(on: clients[0], deliver)
            return
        }
        await withoutActuallyEscaping(deliver) { deliver in
            await withTaskGroup(of: Void.self) { group in
                for client in clients {
                    group.addTask { await listen(on: client, deliver) }
                }
            }
        }
    }

    /// Listens on one server until cancelled, or until it turns out it has no expiry events.
    private func listen(on client: RedisClient, _ deliver: @Sendable (Notice) async -> Void) async {
        let node = if case .cluster = inspector.servers { " on \(client.configuration.endpoint)" } else { "" }
        while !Task.isCancelled {
            let flags: String
            do {
                flags = try await serverFlags(of: client)
            } catch where error.serverErrorPrefix != nil {
                // NOPERM, or CONFIG renamed or disabled: the server answered, asking again won't help.
                await deliver(.unavailable("cannot read notify-keyspace-events\(node): \(error.message)"))
                return
            } catch {
                await deliver(.unavailable("cannot read notify-keyspace-events\(node): \(error.message)"))
                try? await Task.sleep(for: retryDelay)
                continue
            }
            guard Self.publishesExpiredKeyEvents(flags) else {
                await deliver(.unavailable("notify-keyspace-events\(node) is '\(flags)': no expired-key events"))
                return
            }
            let channel = Self.expiredChannel(database: client.configuration.database)
            do {
                let subscription = try await client.subscribe(.channel, to: [channel])
                await deliver(.listening(channel: channel + node))
                for try await message in subscription {
                    if let event = inspector.noteExpired(Array(message.payload.readableBytesView)) {
                        await deliver(.expired(event))
                    }
                }
                if Task.isCancelled { return }
                await deliver(.unavailable("the subscription to \(channel)\(node) ended"))
            } catch let error as RedisError where error.serverErrorPrefix != nil {
                await deliver(.unavailable("cannot subscribe to \(channel)\(node): \(error.message)"))
                return
            } catch {
                await deliver(.unavailable("lost the subscription to \(channel)\(node): \(error)"))
            }
            try? await Task.sleep(for: retryDelay)
        }
    }
}
