import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SealedSecret {
  ciphertext: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  tag: Uint8Array<ArrayBuffer>;
  keyId: string;
}

/**
 * AES-256-GCM with the key from SWITCHBOARD_SECRETS_KEY. The secret's name is the additional
 * authenticated data, so a ciphertext copied onto another name does not decrypt.
 */
export class SecretsCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    // Names the key without revealing it: a secret sealed with another key says so.
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 12);
  }

  seal(name: string, value: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      ciphertext: new Uint8Array(ciphertext),
      iv: new Uint8Array(iv),
      tag: new Uint8Array(cipher.getAuthTag()),
      keyId: this.keyId,
    };
  }

  /** The value, or throws with a message that names the problem (never the value). */
  open(name: string, sealed: SealedSecret): string {
    if (sealed.keyId !== this.keyId) {
      throw new Error(
        `the secret ${name} was stored with another SWITCHBOARD_SECRETS_KEY (key ${sealed.keyId}); set it again`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(`the secret ${name} could not be decrypted (it was changed in the database)`);
    }
  }
}
