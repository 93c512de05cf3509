/// The typed view models of the citizen pages.
struct HomePage: PageModel {
    struct Service: Sendable { let name: String; let url: String }
    let services: [Service]
    let metadataURL: String
    let hasServices: Bool
    /// "Entra con SPID" straight into Varco (the provider chooser), when SPID is offered.
    let spidLoginHref: String?

    init(services: [Service], metadataURL: String, spidLoginHref: String? = nil) {
        self.services = services
        self.metadataURL = metadataURL
        self.hasServices = !services.isEmpty
        self.spidLoginHref = spidLoginHref
    }
}

struct MethodsPage: PageModel {
    struct Method: Sendable { let href: String; let label: String; let hint: String }
    let serviceName: String
    let methods: [Method]
    let cancelAction: String
    let csrf: String
    /// The "Entra con SPID" button, when SPID is offered.
    var spid: SPIDButton?
    /// The "Entra con CIE" button's link, when CIE is offered.
    var cieHref: String?
}

/// The "Entra con SPID" button: its provider list, in random order.
struct SPIDButton: Sendable {
    let providers: [ProviderChooserPage.Provider]
}

struct OTPAppPage: PageModel {
    let serviceName: String
    let action: String
    let cancelAction: String
    let csrf: String
    let otpID: String
    let error: String?
    let backHref: String
}

struct PostFormPage: PageModel {
    let destination: String
    let parameter: String
    let value: String
    let relayState: String?
}

struct LogoutConfirmationPage: PageModel {
    struct Field: Sendable { let name: String; let value: String }
    let fields: [Field]
    let confirmation: String
}

struct LoggedOutPage: PageModel {}
