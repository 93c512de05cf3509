import Foundation
import Mustache

/// The Mustache templates and their translations, all loaded and checked at start: a template that
/// is missing, does not parse, or a message missing in one language stops the server before it listens.
public struct Pages: Sendable {
    let library: MustacheLibrary
    let messages: [Language: [String: String]]

    public enum Problem: Error, CustomStringConvertible {
        case unreadable(String)
        case missingTemplate(String)
        case missingMessages(Language, [String])

        public var description: String {
            switch self {
            case .unreadable(let detail): "templates could not be loaded: \(detail)"
            case .missingTemplate(let name): "template \(name).mustache is missing from the templates directory"
            case .missingMessages(let language, let keys): "messages missing in i18n/\(language.rawValue)/: \(keys.joined(separator: ", "))"
            }
        }
    }

    /// Every page the server renders.
    static let required = ["home", "login-methods", "login-otp-app", "post-form", "error", "demo-service", "demo-result",
                           "logout-confirm", "logged-out",
                           "logout-citizen", "logout-progress", "logout-result", "logout-frame-done", "demo-logged-out", "profile",
                           "operator-issue", "operator-issued", "spid-chooser", "spid-welcome", "spid-error", "demo-spid-idp",
                           "login-smartcard", "login-smartcard-refused"]
        + ["admin-signin", "admin-home", "admin-service-new", "admin-service", "admin-confirm", "admin-audit", "admin-roles",
           "admin-keys", "admin-error", "admin-client-new"]

    public init(directory: String) async throws {
        do { library = try await MustacheLibrary(directory: directory) } catch {
            throw Problem.unreadable("\(error)")
        }
        var loaded: [Language: [String: String]] = [:]
        for language in Language.allCases {
            loaded[language] = try Self.messages(in: URL(fileURLWithPath: directory).appendingPathComponent("i18n/\(language.rawValue)"))
        }
        messages = loaded
        let reference = loaded.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        for language in Language.allCases {
            let missing = reference.subtracting(loaded[language]!.keys)
            if !missing.isEmpty { throw Problem.missingMessages(language, missing.sorted()) }
        }
        for name in Self.required where library.getTemplate(named: name) == nil {
            throw Problem.missingTemplate(name)
        }
    }

    /// Every `*.json` file of a language folder (one per feature), merged; a key defined twice is an error.
    static func messages(in folder: URL) throws -> [String: String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw Problem.unreadable("no message files in i18n/\(folder.lastPathComponent)/") }
        var table: [String: String] = [:]
        for file in files {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)),
                  let part = try? JSONDecoder().decode([String: String].self, from: data) else {
                throw Problem.unreadable("i18n/\(folder.lastPathComponent)/\(file) is not a JSON object of strings")
            }
            if let clash = part.keys.first(where: { table[$0] != nil }) {
                throw Problem.unreadable("message \(clash) is defined twice in i18n/\(folder.lastPathComponent)/")
            }
            table.merge(part) { first, _ in first }
        }
        return table
    }

    /// Renders a page. `model` is the page's typed view model; `t` holds the messages of the language.
    func render(_ name: String, language: Language, model: some PageModel) -> String {
        let context = PageContext(t: messages[language] ?? [:], lang: language.rawValue,
                                  otherLang: language == .it ? "en" : "it",
                                  otherLangLabel: language == .it ? "English" : "Italiano", page: model)
        return library.render(context, withTemplate: name) ?? ""
    }

    func message(_ key: String, _ language: Language) -> String {
        messages[language]?[key] ?? key
    }
}

/// A page's view model.
protocol PageModel: Sendable {}

struct PageContext<Model: PageModel>: Sendable {
    let t: [String: String]
    let lang: String
    let otherLang: String
    let otherLangLabel: String
    let page: Model
}
