/// Runs `runs` one after the other, forwards or backwards, and returns the results in the
/// order given. Alternating the order between rounds cancels out whatever advantage the first
/// (or last) run of a round has.
public func inOrder<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ forward: Bool, _ runs: [() async throws -> T]
) async throws -> [T] {
    var results: [T?] = Array(repeating: nil, count: runs.count)
    for index in forward ? Array(runs.indices) : runs.indices.reversed() {
        results[index] = try await runs[index]()
    }
    return results.map { $0! }
}
