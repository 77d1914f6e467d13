import { hash, verify } from '@node-rs/argon2';

// argon2id with the library defaults (19 MiB, t=2) — OWASP's recommended floor.
export const hashPassword = (password: string) => hash(password);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
