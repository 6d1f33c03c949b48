package import RESP

/// Makes `viewer` (password `viewpw`): every read command, SCAN, SUBSCRIBE, and `extra` rules.
package func addViewer(_ admin: RedisClient, _ extra: [String] = []) async throws {
    let rules = ["on", ">viewpw", "resetkeys", "~*", "resetchannels", "&*", "-@all", "+@read", "+subscribe", "+ping", "+hello",
                 "-time", "-config", "-client", "-pubsub", "-info"] + extra
    _ = try await admin.send("ACL", "SETUSER", "viewer", rules)
}
