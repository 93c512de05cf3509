import Foundation
import VarcoCore

extension StoreConformance {
    static let deploymentChecks: [Check] = [
        Check("deployment: the first record stays until replaced", deploymentRecord),
        Check("deployment: of 10 concurrent first records one value wins for all", deploymentConcurrent),
        Check("jobs: a job runs on one caller at a time, other jobs are not blocked", jobsExclusive),
    ]

    static func deploymentRecord(_ stores: Stores) async throws {
        try await expectEqual(stores.deployment.record("keys", ifAbsent: "A", now: Fixture.at(0)), "A", "first record")
        try await expectEqual(stores.deployment.record("keys", ifAbsent: "B", now: Fixture.at(1)), "A", "a later node sees the first")
        try await stores.deployment.replace("keys", with: "B", now: Fixture.at(2))
        try await expectEqual(stores.deployment.record("keys", ifAbsent: "C", now: Fixture.at(3)), "B", "after replace")
        try await expectEqual(stores.deployment.record("other", ifAbsent: "X", now: Fixture.at(3)), "X", "names are separate")
    }

    static func deploymentConcurrent(_ stores: Stores) async throws {
        let seen = Collected()
        try await concurrently(10) { index in
            await seen.add(try await stores.deployment.record("keys", ifAbsent: "value-\(index)", now: Fixture.at(0)))
        }
        let values = await seen.values
        try expectEqual(values.count, 10, "answers")
        try expectEqual(Set(values).count, 1, "every caller sees the same recorded value")
    }

    static func jobsExclusive(_ stores: Stores) async throws {
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        async let first = stores.jobs.runExclusively("sweep") {
            startedSignal.yield()
            for await _ in release { break }
        }
        for await _ in started { break }
        let second = try await stores.jobs.runExclusively("sweep") {}
        let other = try await stores.jobs.runExclusively("refresh") {}
        releaseSignal.yield()
        releaseSignal.finish()
        try await expectEqual(first, true, "the first run")
        try expectEqual(second, false, "a second run while the first holds the job")
        try expectEqual(other, true, "another job meanwhile")
        try await expectEqual(stores.jobs.runExclusively("sweep") {}, true, "a run after the first finished")
    }

    actor Collected {
        var values: [String] = []
        func add(_ value: String) { values.append(value) }
    }
}
