/// The typed view models of the citizen pages.
struct HomePage: PageModel {
    struct Service: Sendable { let name: String; let url: String }
    let services: [Service]
    let metadataURL: String
    let hasServices: Bool

    init(services: [Service], metadataURL: String) {
        self.services = services
        self.metadataURL = metadataURL
        self.hasServices = !services.isEmpty
    }
}

struct MethodsPage: PageModel {
    struct Method: Sendable { let href: String; let label: String; let hint: String }
    let serviceName: String
    let methods: [Method]
    let cancelAction: String
    let csrf: String
    /// The "Entra con SPID" button's provider list (random order), empty when SPID is not offered.
    var spidProviders: [ProviderChooserPage.Provider] = []
    var hasSPID: Bool { !spidProviders.isEmpty }
    /// The "Entra con CIE" button's link, when CIE is offered.
    var cieHref: String?
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
