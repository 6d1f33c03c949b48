extension RedisURLParser {
    /// The hosts between the user info and the path: one, or several separated by commas (a
    /// cluster's seeds, or the Sentinels, whose ports default to 26379).
    static func parseHostList(_ list: Bytes, scheme: RedisURL.Scheme, quotePort: Bool) throws(RedisError) -> [RedisConfiguration.Endpoint] {
        let defaultPort = scheme.isSentinel ? sentinelPort : 6379
        let entries = list.split(separator: ascii(","), omittingEmptySubsequences: false)
        if entries.contains(where: \.isEmpty), scheme.isSentinel {
            throw failure("Sentinel URL needs at least one Sentinel host, separated by commas: \(expectedSentinelForm)")
        }
        if entries.count > 1, entries.contains(where: \.isEmpty) {
            throw failure("the cluster URL's seed list is empty or has an empty entry; write host1:port1,host2:port2")
        }
        var hosts: [RedisConfiguration.Endpoint] = []
        for entry in entries {
            let (host, port) = try parseHostPort(entry, quotePort: quotePort, defaultPort: defaultPort)
            hosts.append(.tcp(host: host, port: port))
        }
        return hosts
    }

    static func parseHostPort(_ hostPort: Bytes, quotePort: Bool, defaultPort: Int) throws(RedisError) -> (String, Int) {
        let emptyHost = failure("host is empty: expected redis://host[:port], e.g. redis://127.0.0.1:6379")
        if hostPort.isEmpty { throw emptyHost }

        let host: String
        var portBytes: Bytes?
        if hostPort.first == ascii("[") {
            guard let close = hostPort.firstIndex(of: ascii("]")) else {
                throw failure("unclosed '[' in IPv6 host: expected redis://[address]:port, e.g. redis://[::1]:6379")
            }
            let inside = hostPort[(hostPort.startIndex + 1)..<close]
            host = try parseIPv6(inside)
            let after = hostPort[(close + 1)...]
            if !after.isEmpty {
                guard after.first == ascii(":") else {
                    throw failure("unexpected text after ']' in IPv6 host '\(string(hostPort[...close]))': expected ':port'")
                }
                portBytes = after.dropFirst()
            }
        } else {
            let colons = hostPort.count(where: { $0 == ascii(":") })
            if colons > 1 {
                throw failure(
                    "IPv6 host '\(string(hostPort))' must be in brackets, e.g. redis://[::1]:6379")
            }
            var hostBytes = hostPort
            if let colon = hostPort.firstIndex(of: ascii(":")) {
                hostBytes = hostPort[..<colon]
                portBytes = hostPort[(colon + 1)...]
            }
            if hostBytes.isEmpty { throw emptyHost }
            host = try parseHostName(hostBytes)
        }

        guard let portBytes else { return (host, defaultPort) }
        if portBytes.isEmpty {
            throw failure("port is empty after ':': expected a number 1-65535, or leave out the ':' for \(defaultPort)")
        }
        let portText = quotePort ? "port '\(string(portBytes))'" : "port"
        guard portBytes.allSatisfy(isDigit) else {
            throw failure("\(portText) is not a number 1-65535"
                + (quotePort ? "" : " (percent-encode '/', '?' and '#' in the user name or password)"))
        }
        guard portBytes.count <= 5, let port = Int(string(portBytes)), (1...65535).contains(port) else {
            throw failure("\(portText) is out of range 1-65535")
        }
        return (host, port)
    }

    private static func parseHostName(_ bytes: Bytes) throws(RedisError) -> String {
        let host = string(bytes)
        let expected = "expected a host name, an IPv4 address or an IPv6 address in brackets"
        if let bad = bytes.first(where: { !(isAlphanumeric($0) || $0 == ascii("-") || $0 == ascii(".") || $0 == ascii("_")) }) {
            let shown = bad < 0x80 ? "'\(Character(Unicode.Scalar(bad)))'" : "a non-ASCII character"
            throw failure("host '\(host)' contains \(shown): \(expected)")
        }
        if bytes.allSatisfy({ isDigit($0) || $0 == ascii(".") }), !isIPv4(bytes) {
            throw failure("host '\(host)' is not a valid IPv4 address: expected four numbers 0-255 like 10.0.0.1")
        }
        return host
    }

    /// Validates the text between `[` and `]` and returns the address with a zone id decoded
    /// (`fe80::1%25eth0` becomes `fe80::1%eth0`).
    private static func parseIPv6(_ inside: Bytes) throws(RedisError) -> String {
        let shown = "[\(string(inside))]"
        if inside.isEmpty { throw failure("IPv6 host '[]' is empty: expected an address such as [::1]") }
        var address = inside
        var zone: Bytes?
        if let percent = inside.firstIndex(of: ascii("%")) {
            address = inside[..<percent]
            let rest = inside[(percent + 1)...]
            guard rest.starts(with: "25".utf8), rest.count > 2,
                  rest.dropFirst(2).allSatisfy({ isAlphanumeric($0) || $0 == ascii("-") || $0 == ascii(".") || $0 == ascii("_") })
            else {
                throw failure("IPv6 zone in host '\(shown)' is malformed: expected [address%25zone], e.g. [fe80::1%25eth0]")
            }
            zone = rest.dropFirst(2)
        }
        guard isIPv6(address) else {
            throw failure("IPv6 host '\(shown)' is not a valid IPv6 address: expected e.g. [::1] or [2001:db8::5]")
        }
        if let zone { return string(address) + "%" + string(zone) }
        return string(address)
    }

    private static func isIPv4(_ bytes: Bytes) -> Bool {
        let octets = bytes.split(separator: ascii("."), omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), octet.allSatisfy(isDigit),
                  octet.count == 1 || octet.first != ascii("0"),
                  let value = Int(string(octet))
            else { return false }
            return value <= 255
        }
    }

    private static func isIPv6(_ bytes: Bytes) -> Bool {
        // Split at "::" (at most once), then check the groups on either side.
        var head = bytes
        var tail: Bytes?
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == ascii(":"), bytes[index + 1] == ascii(":") {
                if tail != nil { return false }
                head = bytes[..<index]
                tail = bytes[(index + 2)...]
                index += 2
            } else {
                index += 1
            }
        }
        if let tail, tail.first == ascii(":") { return false }  // ":::"

        func groups(_ part: Bytes, isLast: Bool) -> Int? {
            if part.isEmpty { return 0 }
            let pieces = part.split(separator: ascii(":"), omittingEmptySubsequences: false)
            var count = 0
            for (offset, piece) in pieces.enumerated() {
                if isLast, offset == pieces.count - 1, piece.contains(ascii(".")) {
                    guard isIPv4(piece) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy({ hexValue($0) != nil }) else { return nil }
                    count += 1
                }
            }
            return count
        }

        if let tail {
            guard let headCount = groups(head, isLast: false), let tailCount = groups(tail, isLast: true) else {
                return false
            }
            return headCount + tailCount <= 7
        }
        return groups(head, isLast: true) == 8
    }
}
