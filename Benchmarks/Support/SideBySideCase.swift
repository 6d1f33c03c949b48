import Foundation

/// One way of running "ours" in a side-by-side case.
public struct Variant: Sendable {
    /// How the table names it.
    public let name: String
    /// Runs it once.
    public let measure: @Sendable () async throws -> Throughput

    /// A variant called `name`.
    public init(name: String, measure: @escaping @Sendable () async throws -> Throughput) {
        self.name = name
        self.measure = measure
    }
}

/// A benchmark case: several variants of ours and one reference, measured in every round in
/// alternating order, reported as medians and the median of the per-round ratios.
public struct SideBySideCase: Sendable {
    /// The case's name, e.g. `(a) 1 task, sequential`.
    public let name: String
    /// The reference's name.
    public let reference: String
    /// The ratio (ours ÷ reference) a variant should reach.
    public let target: Double?
    let variants: [Variant]
    let measureReference: @Sendable () async throws -> Throughput
    private var rounds: [(ours: [Throughput], reference: Throughput)] = []

    /// A case comparing `ours` with the reference measured by `measureReference`.
    public init(name: String, reference: String, target: Double?, ours: [Variant], measureReference: @escaping @Sendable () async throws -> Throughput) {
        self.name = name
        self.reference = reference
        self.target = target
        self.variants = ours
        self.measureReference = measureReference
    }

    /// Measures every variant and the reference once, forwards or backwards, and prints the
    /// round's figures.
    public mutating func measureRound(forward: Bool) async throws {
        // Wrapped, not converted: an array of @Sendable closures cast to plain closures fails
        // at run time.
        let measureReference = measureReference
        var runs: [() async throws -> Throughput] = variants.map { variant in { try await variant.measure() } }
        runs.append { try await measureReference() }
        let results = try await inOrder(forward, runs)
        let ours = Array(results.dropLast()), theirs = results.last!
        rounds.append((ours, theirs))
        for (variant, result) in zip(variants, ours) {
            say(String(format: "  %@, %@: %.0f/s; %@ %.0f/s; ratio %.2f", name, variant.name, result.perSecond, reference, theirs.perSecond,
                       result.perSecond / theirs.perSecond))
        }
    }

    /// The table's header lines.
    public static let tableHeader = """
        | case | ours | ours /s | p50 / p99 µs | reference | reference /s | p50 / p99 µs | ratio (median of rounds) | per-round ratios | target |
        | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |
        """

    /// One row per variant.
    public func tableRows() -> String {
        let theirs = rounds.map(\.reference)
        return variants.indices.map { index in
            let ours = rounds.map { $0.ours[index] }
            let ratios = zip(ours, theirs).map { $0.perSecond / $1.perSecond }
            let target = target.map { ratio in
                String(format: "≥ %.1fx %@", ratio, Statistics.median(ratios) >= ratio ? "(met)" : "(**not met**)")
            } ?? ""
            return String(
                format: "| %@ | %@ | %.0f | %@ | %@ | %.0f | %@ | %.2fx | %@ | %@ |",
                name, variants[index].name, Statistics.median(ours.map(\.perSecond)), Self.latencies(ours),
                reference, Statistics.median(theirs.map(\.perSecond)), Self.latencies(theirs), Statistics.median(ratios),
                ratios.map { String(format: "%.2f", $0) }.joined(separator: ", "), target)
        }.joined(separator: "\n")
    }

    private static func latencies(_ runs: [Throughput]) -> String {
        let p50 = runs.compactMap(\.p50Microseconds), p99 = runs.compactMap(\.p99Microseconds)
        guard !p50.isEmpty, !p99.isEmpty else { return "–" }
        return String(format: "%.0f / %.0f", Statistics.median(p50), Statistics.median(p99))
    }
}
