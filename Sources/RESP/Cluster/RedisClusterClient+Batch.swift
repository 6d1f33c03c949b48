extension RedisClusterClient {
    /// Sends many commands, one write per node: commands are grouped by the primary serving
    /// `keys[i]`, the groups go out concurrently, and replies come back in the order of
    /// `commands`. An error reply fails only its own command.
    ///
    /// Commands answered with `MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN` or `LOADING`, or whose
    /// node could not be connected to, are resent one by one through ``send(_:routedBy:timeout:)``,
    /// so order between them is not kept; order within one key's slot is kept otherwise.
    ///
    /// - Parameters:
    ///   - commands: the commands, in the order their replies are returned.
    ///   - keys: the routing key of each command (`keys.count == commands.count`).
    ///   - timeout: overrides the node configuration's command timeout.
    public func send(batch commands: [RESPCommand], routedBy keys: [String], timeout: Duration? = nil) async throws(RedisError) -> [Result<RESPToken, RedisError>] {
        guard commands.count == keys.count else {
            throw RedisError(.invalidConfiguration, "send(batch:routedBy:) needs one routing key per command (\(commands.count) commands, \(keys.count) keys)")
        }
        let map = try await topology.currentMap()
        var groups: [RedisConfiguration.Endpoint: [Int]] = [:]
        var unrouted: [Int] = []
        for (index, key) in keys.enumerated() {
            if let endpoint = map.primary(for: HashSlot(key: key))?.endpoint {
                groups[endpoint, default: []].append(index)
            } else {
                unrouted.append(index)
            }
        }
        var results = [Result<RESPToken, RedisError>?](repeating: nil, count: commands.count)
        let topology = self.topology
        let sent = await withTaskGroup(of: [(Int, Result<RESPToken, RedisError>)].self) { group in
            for (endpoint, indices) in groups {
                group.addTask {
                    do throws(RedisError) {
                        let replies = try await topology.client(for: endpoint).send(batch: indices.map { commands[$0] }, timeout: timeout)
                        return Array(zip(indices, replies))
                    } catch {
                        return indices.map { ($0, .failure(error)) }
                    }
                }
            }
            var all: [(Int, Result<RESPToken, RedisError>)] = []
            for await part in group { all += part }
            return all
        }
        for (index, result) in sent { results[index] = result }
        for index in unrouted + sent.compactMap({ Self.needsResend($0.1) ? $0.0 : nil }) {
            do throws(RedisError) {
                results[index] = .success(try await send(commands[index], routedBy: keys[index], timeout: timeout))
            } catch {
                results[index] = .failure(error)
            }
        }
        return results.map { $0 ?? .failure(RedisError(.unexpectedReply, "no reply")) }
    }

    /// Whether a batched command's outcome means "not run here; route it again".
    private static func needsResend(_ result: Result<RESPToken, RedisError>) -> Bool {
        guard case .failure(let error) = result else { return false }
        switch ClusterErrorAction(error, currentHost: nil) {
        case .redirect, .retryLater, .nodeUnreachable: return true
        case .crossSlot, .fail: return false
        }
    }
}
