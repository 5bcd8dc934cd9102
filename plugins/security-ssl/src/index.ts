export { BOX_PREFIX } from "./box.js";
export { generateKeyPair, type KeyPairFiles, writeKeyPair } from "./keygen/keygen.js";
export { KeyFileError, type KeyType, readPrivateKey, readPublicKey } from "./keys/key-files.js";
export { default as sslSecurity } from "./security.js";
export { dumpYaml, loadYaml, YamlLoadError } from "./yaml/index.js";
