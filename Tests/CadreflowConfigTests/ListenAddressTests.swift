@testable import CadreflowConfig
import Testing

@Suite("server.listen validation: host:port and [IPv6]:port")
struct ListenAddressTests {
    @Test("Accepted addresses and their host and port", arguments: [
        ("127.0.0.1:7420", "127.0.0.1", 7420),
        ("0.0.0.0:1", "0.0.0.0", 1),
        ("localhost:65535", "localhost", 65535),
        ("cadreflow-1.example.com:7420", "cadreflow-1.example.com", 7420),
        ("[::1]:7420", "::1", 7420),
        ("[::]:80", "::", 80),
        ("[2001:db8::1]:443", "2001:db8::1", 443),
        ("[1:2:3:4:5:6:7:8]:8080", "1:2:3:4:5:6:7:8", 8080),
        ("[1::]:9", "1::", 9),
        ("[::ffff:192.0.2.1]:7420", "::ffff:192.0.2.1", 7420),
        ("[fe80::1%eth0]:7420", "fe80::1%eth0", 7420),
    ])
    func accepted(text: String, host: String, port: Int) {
        #expect(ListenAddress.problem(with: text) == nil)
        #expect(ListenAddress(text) == ListenAddress(host: host, port: port))
        var configuration = Configuration()
        configuration.server.listen = text
        #expect(configuration.listenHost == host)
        #expect(configuration.listenPort == port)
    }

    @Test("Rejected addresses and why", arguments: [
        ("abc", "expected host:port"),
        ("", "expected host:port"),
        ("127.0.0.1", "expected host:port"),
        (":7420", "expected host:port"),
        ("127.0.0.1:", "expected host:port"),
        ("127.0.0.1:abc", "expected host:port"),
        ("127.0.0.1:+80", "expected host:port"),
        ("127.0.0.1: 80", "expected host:port"),
        ("my host:80", "expected host:port"),
        ("::1:7420", "put an IPv6 host in brackets"),
        ("[::1]", "expected host:port"),
        ("[::1]7420", "expected host:port"),
        ("[::1:7420", "expected host:port"),
        ("127.0.0.1:0", "port must be between 1 and 65535"),
        ("127.0.0.1:65536", "port must be between 1 and 65535"),
        ("[::1]:99999", "port must be between 1 and 65535"),
        ("localhost:99999999999999999999999", "port must be between 1 and 65535"),
        ("[]:80", "[] is not an IPv6 address"),
        ("[abc]:80", "[abc] is not an IPv6 address"),
        ("[127.0.0.1]:80", "is not an IPv6 address"),
        ("[1:2:3:4:5:6:7:8:9]:80", "is not an IPv6 address"),
        ("[1:2:3:4:5:6:7]:80", "is not an IPv6 address"),
        ("[1::2::3]:80", "is not an IPv6 address"),
        ("[12345::1]:80", "is not an IPv6 address"),
        ("[::1%]:80", "is not an IPv6 address"),
        ("[::ffff:300.0.0.1]:80", "is not an IPv6 address"),
    ])
    func rejected(text: String, reason: String) {
        let problem = ListenAddress.problem(with: text)
        #expect(problem?.contains(reason) == true, "\(text): \(problem ?? "accepted")")
        #expect(ListenAddress(text) == nil)
    }
}
