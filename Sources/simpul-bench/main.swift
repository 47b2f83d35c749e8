import Foundation
import SimpulCore

// Seat-engine benchmark: Sainte-Laguë over every DPRD kabupaten/kota dapil of the
// country at once (~2,700 dapil × 18 parties, 3–12 seats each), votes needed for the
// next seat in each, and the cheapest plan for +10 seats. Deterministic input.
let arguments = CommandLine.arguments
let dapilCount = arguments.count > 1 ? Int(arguments[1]) ?? 2_700 : 2_700
let partyCount = arguments.count > 2 ? Int(arguments[2]) ?? 18 : 18
let runs = 5

var rng = SplitMix64(seed: 2024)
let parties = (1...partyCount).map { "P\($0)" }
let dapils: [SeatTargetPlanner.Dapil] = (1...dapilCount).map { d in
    var votes: [String: Int] = [:]
    for p in parties { votes[p] = Int.random(in: 0...60_000, using: &rng) }
    return .init(id: "D\(d)", seats: Int.random(in: 3...12, using: &rng), votes: votes)
}

func measure(_ label: String, _ body: () -> Int) {
    var times: [Double] = []
    var check = 0
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        check = body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    print(String(format: "%@: median %.1f ms (min %.1f, max %.1f) — check %d", label, times[runs / 2], times[0], times[runs - 1], check))
}

let totalSeats = dapils.reduce(0) { $0 + $1.seats }
print("\(dapilCount) dapil × \(partyCount) partai, \(totalSeats) kursi, \(runs) kali")
measure("alokasi Sainte-Laguë semua dapil") {
    dapils.reduce(0) { $0 + SainteLague.allocate(votes: $1.votes, seats: $1.seats).values.reduce(0, +) }
}
measure("suara untuk kursi berikutnya P1, semua dapil") {
    dapils.reduce(0) { $0 + (SainteLague.votesNeededForNextSeat(party: "P1", votes: $1.votes, seats: $1.seats)?.extraVotes ?? 0) }
}
let current = dapils.reduce(0) { $0 + (SainteLague.allocate(votes: $1.votes, seats: $1.seats)["P1"] ?? 0) }
measure("rencana termurah P1 +10 kursi") {
    SeatTargetPlanner.cheapestPlan(party: "P1", dapils: dapils, targetSeats: current + 10)?.totalVotes ?? -1
}
