import Foundation
import Testing
import VarcoCore

@Suite struct RelyingPartySettingsTests {
    @Test func settingsStoredBeforeEncryptionExistedReadWithEncryptionOff() throws {
        let old = #"{"signResponse":true,"signAssertion":true,"allowLegacySHA1":false,"requireSignedRequests":false,"defaultNameIDFormat":"transient","alwaysForceAuthn":false}"#
        let settings = try JSONDecoder().decode(RelyingPartySettings.self, from: Data(old.utf8))
        #expect(settings.encryptAssertion == false)
        #expect(settings == RelyingPartySettings())
    }

    @Test func encryptionSurvivesTheStore() throws {
        let on = RelyingPartySettings(encryptAssertion: true)
        let read = try JSONDecoder().decode(RelyingPartySettings.self, from: try JSONEncoder().encode(on))
        #expect(read.encryptAssertion)
    }
}
