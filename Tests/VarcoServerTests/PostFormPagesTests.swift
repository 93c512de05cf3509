import Testing
@testable import VarcoServer

@Suite struct PostFormPagesTests {
    @Test func valuesAreFilledInAndEscapedExceptTheBase64Message() async throws {
        let h = try await ServerHarness.make()
        let html = h.varco.postForms.render(destination: "https://sp.test/acs?a=1&b=\"2\"", parameter: "SAMLResponse",
                                            value: "PHNhbWw+", relayState: "<script>", language: .it)
        #expect(html.contains(#"action="https://sp.test/acs?a=1&amp;b=&quot;2&quot;""#))
        #expect(html.contains(#"name="SAMLResponse" value="PHNhbWw+""#))
        #expect(html.contains(#"name="RelayState" value="&lt;script&gt;""#))
        #expect(!html.contains("\u{1}"))
        #expect(html.contains("lang=\"it\""))
    }

    @Test func withoutRelayStateThereIsNoRelayStateField() async throws {
        let h = try await ServerHarness.make()
        let html = h.varco.postForms.render(destination: "https://sp.test/acs", parameter: "SAMLResponse", value: "QQ==",
                                            relayState: nil, language: .en)
        #expect(!html.contains("RelayState"))
        #expect(html.contains("lang=\"en\""))
    }
}
