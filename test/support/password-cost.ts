/**
 * scrypt's N = 2^12 (PASSWORD_HASH_COST, allowed under NODE_ENV=test only) for the servers and
 * commands tests start: the suite hashes hundreds of passwords, and the production 2^17 costs
 * about 0.65 s a hash on a 2-core runner (2^12: about 20 ms). test/security/password-guessing.test.ts
 * runs the production cost.
 */
export const TEST_PASSWORD_HASH_COST = '12';
