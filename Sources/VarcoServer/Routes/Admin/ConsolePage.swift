import Foundation
import VarcoCore

/// The view model of every console page: the frame (who, CSRF token, messages) and the part of the page shown.
struct ConsolePage: PageModel {
    var user = ""
    var csrf = ""
    var canChange = false
    var signedIn = false
    var notice: String?
    var problems: [String] = []
    /// A secret shown once (a client secret or an API token).
    var secret: String?

    var services: [Row] = []
    var service: Detail?
    var newService = NewServiceForm()
    var newClient = NewClientForm()
    var authMethods: [Option] = []
    var confirm: Confirm?
    var audit: [AuditRow] = []
    var filter = FilterForm()
    var csvLink = ""
    var grants: [RoleGrantView] = []
    var tokens: [TokenRow] = []
    var keys: [KeyRow] = []
    var levels: [Option] = []
    var roles: [Option] = []

    struct Row: Sendable {
        let key: String
        let id: String
        let name: String
        let kind: String
        let enabled: Bool
        let problem: String?
    }

    struct Detail: Sendable {
        let key: String
        let id: String
        let name: String
        let isSAML: Bool
        let enabled: Bool
        let version: Int
        let endpoints: [String]
        let signResponse: Bool
        let signAssertion: Bool
        let requireSignedRequests: Bool
        let alwaysForceAuthn: Bool
        let encryptAssertion: Bool
        /// Whether the metadata has an encryption certificate (the checkbox says when it has none).
        let hasEncryptionKey: Bool
        let persistentNameID: Bool
        let attributes: [Option]
        let hasSecret: Bool
        let metadataURL: String?
        let lastError: String?
        /// OIDC clients: the URIs, one per line, and the authentication method.
        var redirectURIs = ""
        var postLogoutURIs = ""
        var backchannelURI = ""
        var authMethod = ""
        /// OIDC clients: the claims released, each ticked if the client's policy names it.
        var claims: [ClaimOption] = []
    }

    /// A claim of an OIDC client's policy: `key` names its checkbox, `label` is the message key until the page is
    /// rendered in a language.
    struct ClaimOption: Sendable {
        let key: String
        let name: String
        var label: String
        let selected: Bool
    }

    /// A signing key as the console shows it: its state in words.
    struct KeyRow: Sendable {
        let key: SigningKeyView
        let stateLabel: String
    }

    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct NewServiceForm: Sendable {
        var metadata = ""
        var displayName = ""
    }

    struct NewClientForm: Sendable {
        var name = "", redirectURIs = "", postLogoutURIs = "", backchannelURI = ""
        /// None ticked: every claim its scopes allow.
        var claims = ConsoleRoutes.claimOptions(selected: [])
    }

    struct Confirm: Sendable {
        let action: String
        let question: String
        let fields: [Field]
        let cancel: String
    }

    struct Field: Sendable {
        let name: String
        let value: String
    }

    struct AuditRow: Sendable {
        let time: String
        let event: String
        let subject: String
        let service: String
        let detail: String
        let client: String
        /// The values before and after an administrative change; nil for other events.
        let change: Change?
    }

    struct Change: Sendable {
        let before: String
        let after: String
    }

    struct FilterForm: Sendable {
        var citizen = "", service = "", event = "", from = "", until = ""
    }

    struct TokenRow: Sendable {
        let id: String
        let name: String
        let role: String
        let expires: String
        let active: Bool
    }
}
