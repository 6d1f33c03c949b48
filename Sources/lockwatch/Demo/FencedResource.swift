/// The demo's protected resource: it remembers the highest fence it has seen and rejects
/// writes that carry a lower one, which is how a fencing token stops a stale holder.
actor FencedResource {
    private var highestFence: [String: Int64] = [:]
    private(set) var acceptedWrites = 0
    private(set) var rejectedWrites = 0

    /// The highest fence a write to `name` has carried (0 before the first).
    func highestFence(for name: String) -> Int64 {
        highestFence[name, default: 0]
    }

    /// Accepts the write when `fence` is at least the highest seen for `name`.
    @discardableResult
    func write(_ name: String, fence: Int64) -> Bool {
        if fence < highestFence[name, default: 0] {
            rejectedWrites += 1
            return false
        }
        highestFence[name] = fence
        acceptedWrites += 1
        return true
    }
}
