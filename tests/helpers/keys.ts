/**
 * ed25519 key pairs for tests. ssh2 1.17's generateKeyPairSync now and then (about 1 in 256) emits a
 * private key its own parser rejects ("Malformed OpenSSH private key", mscdex/ssh2 #1390): keep
 * only pairs that parse, so tests never fail on an unlucky key.
 */
import { utils } from "ssh2";

export function ed25519KeyPair(): { private: string; public: string } {
    for (let attempt = 0; attempt < 20; attempt++) {
        const keys = utils.generateKeyPairSync("ed25519");
        if (!(utils.parseKey(keys.private) instanceof Error)) return keys;
    }
    throw new Error("ssh2 could not generate a parseable ed25519 key in 20 attempts");
}
