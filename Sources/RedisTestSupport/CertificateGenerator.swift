import Foundation

/// Creates a CA, a server and a client certificate with the `openssl` command line tool.
enum CertificateGenerator {
    private static let configuration = """
        [ req ]
        distinguished_name = subject
        prompt = no

        [ subject ]
        CN = RedisTestSupport

        [ ca ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash

        [ server ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1, DNS:localhost
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        [ client ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = clientAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        """

    static func generate() throws(RedisServerError) -> ServerCertificates {
        let openssl = try Executables.openSSL()
        let directory = try TemporaryDirectory.make(prefix: "redis-test-certs-")
        do {
            return try generate(with: openssl, in: directory)
        } catch {
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    private static func generate(with openssl: String, in directory: String) throws(RedisServerError) -> ServerCertificates {
        let certificates = ServerCertificates(directory: directory)
        let signer = Signer(
            openssl: openssl,
            configurationFile: "\(directory)/openssl.cnf",
            caFile: certificates.caFile,
            caKeyFile: "\(directory)/ca.key"
        )
        do {
            try configuration.write(toFile: signer.configurationFile, atomically: true, encoding: .utf8)
        } catch {
            throw RedisServerError("could not write \(signer.configurationFile): \(error)")
        }
        try signer.createAuthority()
        try signer.issue(
            commonName: "localhost", extensions: "server", serial: 2,
            certificateFile: certificates.serverCertificateFile, keyFile: certificates.serverKeyFile
        )
        try signer.issue(
            commonName: "redis-test-client", extensions: "client", serial: 3,
            certificateFile: certificates.clientCertificateFile, keyFile: certificates.clientKeyFile
        )
        return certificates
    }
}

/// The openssl invocations, sharing one configuration file and CA.
private struct Signer {
    let openssl: String
    let configurationFile: String
    let caFile: String
    let caKeyFile: String

    func createAuthority() throws(RedisServerError) {
        try run([
            "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
            "-subj", "/CN=RedisTestSupport Test CA", "-config", configurationFile, "-extensions", "ca",
            "-keyout", caKeyFile, "-out", caFile,
        ])
    }

    /// A key and a CA-signed certificate using the `extensions` section of the configuration.
    func issue(
        commonName: String, extensions: String, serial: Int, certificateFile: String, keyFile: String
    ) throws(RedisServerError) {
        let requestFile = "\(certificateFile).csr"
        try run([
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=\(commonName)",
            "-config", configurationFile, "-keyout", keyFile, "-out", requestFile,
        ])
        try run([
            "x509", "-req", "-sha256", "-days", "2", "-in", requestFile,
            "-CA", caFile, "-CAkey", caKeyFile, "-set_serial", String(serial),
            "-extfile", configurationFile, "-extensions", extensions, "-out", certificateFile,
        ])
        try? FileManager.default.removeItem(atPath: requestFile)
    }

    private func run(_ arguments: [String]) throws(RedisServerError) {
        let result = try ProcessRunner.run(openssl, arguments, timeout: .seconds(60))
        guard result.status == 0, !result.timedOut else {
            throw RedisServerError(
                "openssl \(arguments.prefix(2).joined(separator: " ")) failed (exit \(result.status)):\n"
                    + result.combinedOutput
            )
        }
    }
}
