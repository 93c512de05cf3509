import VarcoCore

enum PostgresOTPStores {
    static func make(_ backend: PostgresBackend) -> OTPStores {
        OTPStores(challenges: PostgresSMSChallengeStore(backend: backend), outbox: PostgresSMSOutboxStore(backend: backend),
                  counters: PostgresRateCounterStore(backend: backend), operators: PostgresOTPOperatorStore(backend: backend))
    }
}
