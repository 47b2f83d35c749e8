import Crypto
import Foundation
import Vapor

/// Encrypts personal data at rest (AES-GCM) and derives keyed blind indexes (HMAC-SHA256)
/// so an encrypted NIK can still be found and checked for duplicates without decrypting.
/// Keys are immutable after init, so sharing across tasks is safe.
struct PersonalDataVault: @unchecked Sendable {
    private let encryptionKey: SymmetricKey
    /// HMAC keyed with the index subkey, copied for each value: setting up the key costs as
    /// much as hashing a short value, and an import makes two indexes per row.
    private let indexMAC: HMAC<SHA256>

    init(masterKey: SymmetricKey) {
        // Separate subkeys: the blind index must not be usable to decrypt, nor the reverse.
        encryptionKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, info: Data("simpul-encrypt-v1".utf8), outputByteCount: 32)
        let indexKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, info: Data("simpul-blind-index-v1".utf8), outputByteCount: 32)
        indexMAC = HMAC<SHA256>(key: indexKey)
    }

    func encrypt(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: encryptionKey)
        return box.combined!.base64EncodedString()
    }

    /// The same, with the nonce drawn from `nonces` (bulk imports; see NonceSequence).
    func encrypt(_ plaintext: String, nonces: inout NonceSequence) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: encryptionKey, nonce: nonces.next())
        return box.combined!.base64EncodedString()
    }

    func decrypt(_ ciphertext: String) throws -> String {
        guard let data = Data(base64Encoded: ciphertext) else { throw Abort(.internalServerError, reason: "Data terenkripsi rusak.") }
        let box = try AES.GCM.SealedBox(combined: data)
        return String(decoding: try AES.GCM.open(box, using: encryptionKey), as: UTF8.self)
    }

    /// Deterministic keyed index of a normalised value; `purpose` keeps NIK and phone
    /// indexes apart so equal strings in different fields never collide.
    func blindIndex(_ value: String, purpose: String) -> String {
        var mac = indexMAC
        mac.update(data: Array((purpose + ":" + value).utf8))
        return Hex.encode(mac.finalize())
    }

    /// The master key: SIMPUL_DATA_KEY (base64, 32 bytes), else `<data dir>/data.key`,
    /// created on first start with mode 0600. In-memory test databases get a fresh key.
    static func load(settings: AppSettings, logger: Logger) throws -> PersonalDataVault {
        if let b64 = settings.dataKeyBase64, !b64.isEmpty {
            guard let raw = Data(base64Encoded: b64), raw.count == 32 else {
                throw Abort(.internalServerError, reason: "SIMPUL_DATA_KEY harus 32 byte dalam base64 (buat dengan: openssl rand -base64 32).")
            }
            return PersonalDataVault(masterKey: SymmetricKey(data: raw))
        }
        if case .sqliteMemory = settings.storage {
            return PersonalDataVault(masterKey: SymmetricKey(size: .bits256))
        }
        let path = settings.dataDirectory + "/data.key"
        let fm = FileManager.default
        if let existing = fm.contents(atPath: path) {
            guard let raw = Data(base64Encoded: String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                  raw.count == 32 else {
                throw Abort(.internalServerError, reason: "Berkas kunci \(path) rusak: harus 32 byte dalam base64.")
            }
            return PersonalDataVault(masterKey: SymmetricKey(data: raw))
        }
        try fm.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let b64 = key.withUnsafeBytes { Data($0).base64EncodedString() }
        guard fm.createFile(atPath: path, contents: Data((b64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "Tidak dapat menulis berkas kunci \(path).")
        }
        logger.notice("Kunci enkripsi data pribadi dibuat di \(path). Simpan salinannya terpisah dari cadangan database.")
        return PersonalDataVault(masterKey: key)
    }
}

/// AES-GCM nonces for a run of encryptions: a random 96-bit start, then counting up. A
/// nonce must never repeat under one key; two runs repeat one only if their ranges overlap
/// somewhere in 2^96, which is no likelier than two random nonces meeting. It spares a
/// kernel call for randomness per value: an import encrypts three values a row.
struct NonceSequence {
    private var high: UInt32
    private var low: UInt64

    init() {
        var rng = SystemRandomNumberGenerator()
        high = rng.next()
        low = rng.next()
    }

    mutating func next() -> AES.GCM.Nonce {
        defer {
            low &+= 1
            if low == 0 { high &+= 1 }
        }
        let (h, l) = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: h) { hb in
            withUnsafeBytes(of: l) { lb in try! AES.GCM.Nonce(data: Array(hb) + Array(lb)) }
        }
    }
}

struct PersonalDataVaultKey: StorageKey { typealias Value = PersonalDataVault }

extension Application {
    var vault: PersonalDataVault {
        get { storage[PersonalDataVaultKey.self]! }
        set { storage[PersonalDataVaultKey.self] = newValue }
    }
}

extension Request {
    var vault: PersonalDataVault { application.vault }
}

/// Lower-case hex without a formatter call per byte (blind indexes are made per row in
/// bulk imports, where String(format:) showed up in profiles).
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    /// Exactly `id.uuidString` (upper case, dashed), which on Linux formats through printf:
    /// a bulk import writes several ids per row.
    static func uuidString(_ id: UUID) -> String {
        withUnsafeBytes(of: id.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var i = 0
                for (n, b) in bytes.enumerated() {
                    if n == 4 || n == 6 || n == 8 || n == 10 {
                        out[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    out[i] = upperDigits[Int(b >> 4)]
                    out[i + 1] = upperDigits[Int(b & 0x0F)]
                    i += 2
                }
                return i
            }
        }
    }
}
