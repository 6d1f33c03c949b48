import RESP

/// Folds the locks each node of a Redlock set holds into one row per key.
enum RedlockMerge {
    /// One row per key found on any node. The row shows the holder with the most nodes (by
    /// token, else value; ties: the lowest node) and carries every node's copy. Its TTL is how long that holder
    /// keeps a quorum: the quorum-th longest TTL among its copies (no TTL counts as forever);
    /// without a quorum, the longest. Waiters count once (a waiter listens on every node).
    static func rows(from nodes: [(node: Int, locks: [InspectedLock])], nodeCount: Int) -> [InspectedLock] {
        var order: [[UInt8]] = []
        var copies: [ByteKey: [(node: Int, lock: InspectedLock)]] = [:]
        for (node, locks) in nodes {
            for lock in locks {
                let key = ByteKey(lock.keyBytes)
                if copies[key] == nil { order.append(lock.keyBytes) }
                copies[key, default: []].append((node, lock))
            }
        }
        return order.map { key in row(copies[ByteKey(key)]!, nodeCount: nodeCount) }
    }

    private static func row(_ found: [(node: Int, lock: InspectedLock)], nodeCount: Int) -> InspectedLock {
        let byValue = Dictionary(grouping: found) { $0.lock.holder }
        let holders = byValue.values.max { lhs, rhs in
            lhs.count != rhs.count ? lhs.count < rhs.count : lhs.map(\.node).min()! > rhs.map(\.node).min()!
        }!
        var row = holders.min { $0.node < $1.node }!.lock
        let quorum = nodeCount / 2 + 1
        let ttls = holders.map { $0.lock.ttlMilliseconds ?? .max }.sorted(by: >)
        let ttl = ttls.count >= quorum ? ttls[quorum - 1] : ttls[0]
        row.ttlMilliseconds = ttl == .max ? nil : ttl
        row.waiters = found.compactMap(\.lock.waiters).max()
        row.placement = .copies(RedlockCopies(nodeCount: nodeCount, copies: found.map { node, lock in
            let address: String = if case .node(let address) = lock.placement { address } else { "node \(node + 1)" }
            return RedlockCopies.Copy(node: node, address: address, value: lock.value, token: lock.token, ttlMilliseconds: lock.ttlMilliseconds, fence: lock.fence,
                hashFields: lock.hashFields)
        }))
        return row
    }
}
