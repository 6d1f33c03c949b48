extension RedisClusterClient {
    /// Runs `operation` on the primary serving `slot` (any primary for `nil`), following
    /// `MOVED` and `ASK` and retrying transient cluster errors within the configured bounds.
    ///
    /// `operation` gets the node's client and whether it must send `ASKING` first.
    func perform<T>(
        slot: HashSlot?,
        _ operation: (RedisClient, _ asking: Bool) async throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        let started = ContinuousClock.now
        var redirects = 0
        var failures = 0
        var askTarget: RedisConfiguration.Endpoint?
        while true {
            var endpoint: RedisConfiguration.Endpoint?
            let action: ClusterErrorAction
            let error: RedisError
            do throws(RedisError) {
                if let askTarget {
                    endpoint = askTarget
                } else {
                    endpoint = try await topology.primary(for: slot)
                }
                guard let endpoint else {
                    throw RedisError(.clusterDown, "no node serves slot \(slot.map(String.init(describing:)) ?? "?"); is every slot assigned (CLUSTER INFO: cluster_slots_assigned)?")
                }
                return try await operation(try topology.client(for: endpoint), askTarget != nil)
            } catch let caught {
                error = caught
                action = caught.code == .clusterDown && endpoint == nil
                    ? .retryLater(refreshTopology: true)
                    : ClusterErrorAction(caught, currentHost: endpoint?.host)
            }
            askTarget = nil
            switch action {
            case .redirect(let redirection):
                redirects += 1
                guard redirects <= configuration.maxRedirects else {
                    throw RedisError(
                        .clusterDown,
                        "slot \(redirection.slot) was redirected \(redirects) times (last to \(redirection.endpoint)); the cluster may be resharding, retry later",
                        underlying: error)
                }
                if redirection.kind == .moved {
                    logger.debug("slot moved", metadata: ["slot": "\(redirection.slot)", "to": "\(redirection.endpoint)"])
                    topology.recordMoved(redirection)
                } else {
                    askTarget = redirection.endpoint
                }
            case .retryLater(let refreshTopology):
                failures += 1
                try await pauseBeforeRetry(failures: failures, since: started, after: error)
                if refreshTopology { _ = try? await topology.refresh() }
            case .nodeUnreachable:
                failures += 1
                _ = try? await topology.refresh()
                try await pauseBeforeRetry(failures: failures, since: started, after: error)
            case .crossSlot:
                throw RedisError(
                    .crossSlot,
                    "the command's keys are in different hash slots; give them a common {hash tag} such as {user:42}",
                    underlying: error)
            case .fail:
                throw error
            }
        }
    }

    /// Sleeps a jittered backoff, or throws ``RedisError/Code/clusterDown`` (wrapping `error`)
    /// when the retry budget would be exceeded.
    private func pauseBeforeRetry(failures: Int, since started: ContinuousClock.Instant, after error: RedisError) async throws(RedisError) {
        let remaining = configuration.retryBudget - (ContinuousClock.now - started)
        guard remaining > .zero else {
            throw RedisError(
                .clusterDown,
                "the cluster did not serve the command within \(configuration.retryBudget) (\(failures) attempts); check CLUSTER INFO on the nodes, or raise retryBudget",
                underlying: error)
        }
        let delay = min(ConnectionSlot.backoff(failures: failures, range: configuration.retryBackoff), remaining)
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw RedisError(.cancelled, "the command was cancelled while waiting to retry")
        }
    }
}
