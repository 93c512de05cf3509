import Foundation
import Hummingbird
import VarcoCore
import VarcoOTP

/// The counter operators' REST API, authenticated by a bearer token from `varco operator add NAME`:
/// - `POST /api/operator/otp-credentials` issues a credential (JSON `IssuanceRequest`), answers 201 with
///   `{"id", "paperHalf", "smsSent"}` or 422 with `{"problems": [...]}` in Italian;
/// - `POST /api/operator/otp-credentials/{otpID}/unlock` lifts a lockout;
/// - `POST /api/operator/otp-credentials/{otpID}/reset-app` removes the authenticator app and its recovery codes;
/// - `POST /api/operator/otp-credentials/{otpID}/replace-card` with `{"newCardNumber"}` registers a new health card,
///   answers 201 with `{"id"}` (the new ID) or 422 with `{"problems": [...]}`.
struct OperatorAPIRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.post("/api/operator/otp-credentials") { request, context -> Response in
            guard let name = try await authenticate(request) else { return Self.json(["error": "token mancante o non valido"], .unauthorized) }
            let body = try await request.body.collect(upTo: 16 * 1024)
            guard let issuance = try? JSONDecoder().decode(IssuanceRequest.self, from: Data(buffer: body)) else {
                return Self.json(["error": "il corpo deve essere un JSON con codiceFiscale, cardNumber, mobile, birthDate, minor, ward"],
                                 .badRequest)
            }
            do {
                let result = try await varco.otp.issue(issuance, by: name, client: context.clientAddress)
                return Self.json(result, .created)
            } catch let refused as IssuanceRefused {
                return Self.json(["problems": refused.problems], .unprocessableContent)
            }
        }
        router.post("/api/operator/otp-credentials/:otpID/unlock") { request, context -> Response in
            guard let name = try await authenticate(request) else { return Self.json(["error": "token mancante o non valido"], .unauthorized) }
            do {
                try await varco.otp.unlock(id: try context.parameters.require("otpID"), by: name)
                return Self.json(["status": "sbloccate"], .ok)
            } catch RegionalOTP.Refusal.invalidCredentials {
                return Self.json(["error": "nessuna credenziale con questo ID"], .notFound)
            }
        }
        router.post("/api/operator/otp-credentials/:otpID/reset-app") { request, context -> Response in
            guard let name = try await authenticate(request) else { return Self.json(["error": "token mancante o non valido"], .unauthorized) }
            do {
                try await varco.otp.removeApp(id: try context.parameters.require("otpID"), by: name, client: context.clientAddress)
                return Self.json(["status": "app di autenticazione rimossa"], .ok)
            } catch RegionalOTP.Refusal.invalidCredentials {
                return Self.json(["error": "nessuna credenziale con questo ID"], .notFound)
            }
        }
        registerCardReplacement(on: router)
    }

    private struct CardReplacement: Decodable { let newCardNumber: String }

    func registerCardReplacement(on router: Router<VarcoRequestContext>) {
        router.post("/api/operator/otp-credentials/:otpID/replace-card") { request, context -> Response in
            guard let name = try await authenticate(request) else { return Self.json(["error": "token mancante o non valido"], .unauthorized) }
            let body = try await request.body.collect(upTo: 4 * 1024)
            guard let replacement = try? JSONDecoder().decode(CardReplacement.self, from: Data(buffer: body)) else {
                return Self.json(["error": "il corpo deve essere un JSON con newCardNumber"], .badRequest)
            }
            do {
                let newID = try await varco.otp.replaceCard(id: try context.parameters.require("otpID"), newCardNumber: replacement.newCardNumber,
                                                            by: name, client: context.clientAddress)
                return Self.json(["id": newID], .created)
            } catch let refused as IssuanceRefused {
                return Self.json(["problems": refused.problems], .unprocessableContent)
            }
        }
    }

    /// The operator's name, if the request carries the bearer token of an enabled operator.
    private func authenticate(_ request: Request) async throws -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return try await Self.operatorName(token: String(header.dropFirst("Bearer ".count)), varco: varco)
    }

    /// The name of the enabled operator holding `token`, if any: a counter operator's token (`varco operator add`), or
    /// a valid API token of the operator role (`varco admin-token add NAME --role operator`).
    static func operatorName(token raw: String, varco: Varco) async throws -> String? {
        let token = raw.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        if let found = try await varco.stores.otp.operators.find(tokenHash: SHA256Hex.of(token)), found.enabled { return found.name }
        let access = AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: .commandLine)
        guard let apiToken = try await access.token(forSecret: token), apiToken.role == .operator else { return nil }
        return "token:\(apiToken.name)"
    }

    static func json(_ value: some Encodable, _ status: HTTPResponse.Status) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
