import NIOCore
import RESP

extension NodeScanner {
    /// Where an incremental sweep of this server starts: the walk from its first cursor.
    func sweepSource() async throws(RedisError) -> KeySource {
        try keySource(proxy: client.proxyKind ?? .none)
    }

    /// One slice of an incremental sweep: continues `source`'s walk until about `keys` more
    /// keys were listed (whole `SCAN` replies: it may list a few more) or the walk is over,
    /// and reads and decodes the locks among them, as ``scan()`` does (waiters included;
    /// no `TIME`: the caller dates the rows). `source` is left where the walk stopped.
    /// ``NodeScan/scannedKeys`` counts the keys this slice listed.
    func scanSlice(_ source: inout KeySource, keys: Int) async throws(RedisError) -> NodeScan {
        var result = NodeScan()
        result.getsEachKey = getsEachKey
        let connection = try await client.connection()
        result.proxy = client.proxyKind ?? .none
        let listing = try await listingConnection(proxy: result.proxy) ?? connection
        let listedBefore = source.listedKeys
        var scan = ScanPipeline(source: source, batchSize: batchSize, reads: appendReads)
        scan.listingLimit = listedBefore + max(keys, 1)
        try await pump(&scan, listing: listing, reads: connection, into: &result)
        source = scan.source
        result.scannedKeys = source.listedKeys - listedBefore
        return result
    }
}
