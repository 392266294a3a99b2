import { createHash, generateKeyPairSync } from 'node:crypto';
import { applyFilters, tagFilterValues } from './ec2-describe.js';
import { ec2Error, invalidParameterValue } from './ec2-errors.js';
import type { Ec2FakeState } from './ec2-fake-state.js';
import type { FakeKeyPair } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import type { XmlObject } from './ec2-xml.js';

const colonHex = (buffer: Buffer) => buffer.toString('hex').replace(/(..)(?!$)/g, '$1:');

function addKeyPair(
  state: Ec2FakeState,
  keyName: string,
  keyType: string,
  publicKey: string,
  fingerprint: string,
) {
  if (state.keyPairs.has(keyName))
    throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${keyName}' already exists.`);
  const keyPair: FakeKeyPair = {
    keyPairId: state.newId('key'),
    keyName,
    keyFingerprint: fingerprint,
    keyType,
    publicKey,
    createTime: new Date(Math.floor(Date.now() / 1000) * 1000),
  };
  state.keyPairs.set(keyName, keyPair);
  return keyPair;
}

function keyPairXml(state: Ec2FakeState, keyPair: FakeKeyPair, includePublicKey: boolean): XmlObject {
  return {
    keyPairId: keyPair.keyPairId,
    keyFingerprint: keyPair.keyFingerprint,
    keyName: keyPair.keyName,
    keyType: keyPair.keyType,
    tagSet: state.tagSet(keyPair.keyPairId),
    publicKey: includePublicKey ? keyPair.publicKey : undefined,
    createTime: keyPair.createTime,
  };
}

/** CreateKeyPair, ImportKeyPair, DeleteKeyPair, DescribeKeyPairs. */
export const keyPairHandlers: Record<string, ActionHandler> = {
  CreateKeyPair({ params, state }) {
    const keyName = params.required('KeyName');
    const keyType = params.string('KeyType') ?? 'rsa';
    if (keyType !== 'rsa' && keyType !== 'ed25519') {
      throw invalidParameterValue(`Value (${keyType}) for parameter keyType is invalid.`);
    }
    if (state.keyPairs.has(keyName))
      throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${keyName}' already exists.`);
    const pair =
      keyType === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
    const privateDer = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const publicKey = `${keyType === 'rsa' ? 'ssh-rsa' : 'ssh-ed25519'} ${pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`;
    const keyPair = addKeyPair(
      state,
      keyName,
      keyType,
      publicKey,
      colonHex(createHash('sha1').update(privateDer).digest()),
    );
    state.applyTagSpecifications(params.tagSpecifications(), { 'key-pair': [keyPair.keyPairId] });
    const material =
      keyType === 'rsa'
        ? pair.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
        : pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      keyName,
      keyFingerprint: keyPair.keyFingerprint,
      keyMaterial: material,
      keyPairId: keyPair.keyPairId,
      tagSet: state.tagSet(keyPair.keyPairId),
    };
  },

  ImportKeyPair({ params, state }) {
    const keyName = params.required('KeyName');
    const material = Buffer.from(params.required('PublicKeyMaterial'), 'base64').toString('utf8').trim();
    const match = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) ([A-Za-z0-9+/=]+)/.exec(material);
    if (!match) throw ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
    const keyType = match[1] === 'ssh-ed25519' ? 'ed25519' : 'rsa';
    const fingerprint = colonHex(createHash('md5').update(Buffer.from(match[2]!, 'base64')).digest());
    const keyPair = addKeyPair(state, keyName, keyType, material, fingerprint);
    state.applyTagSpecifications(params.tagSpecifications(), { 'key-pair': [keyPair.keyPairId] });
    return {
      keyFingerprint: keyPair.keyFingerprint,
      keyName,
      keyPairId: keyPair.keyPairId,
      tagSet: state.tagSet(keyPair.keyPairId),
    };
  },

  DeleteKeyPair({ params, state }) {
    const keyName = params.string('KeyName');
    const keyPairId = params.string('KeyPairId');
    if (!keyName && !keyPairId)
      throw ec2Error('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
    for (const keyPair of [...state.keyPairs.values()]) {
      if (keyPair.keyName === keyName || keyPair.keyPairId === keyPairId) {
        state.keyPairs.delete(keyPair.keyName);
        state.tags.delete(keyPair.keyPairId);
      }
    }
    return RETURN_TRUE;
  },

  DescribeKeyPairs({ params, state }) {
    const names = params.strings('KeyName');
    const ids = params.strings('KeyPairId');
    let keyPairs = [...state.keyPairs.values()];
    const missingName = names.find((name) => !state.keyPairs.has(name));
    if (missingName)
      throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missingName}' does not exist`);
    const missingId = ids.find((id) => !keyPairs.some((keyPair) => keyPair.keyPairId === id));
    if (missingId) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missingId}' does not exist`);
    if (names.length > 0) keyPairs = keyPairs.filter((keyPair) => names.includes(keyPair.keyName));
    if (ids.length > 0) keyPairs = keyPairs.filter((keyPair) => ids.includes(keyPair.keyPairId));
    keyPairs = applyFilters(keyPairs, params.filters(), (keyPair, name) => {
      const tags = tagFilterValues(state, keyPair.keyPairId, name);
      if (tags) return tags;
      if (name === 'key-name') return [keyPair.keyName];
      if (name === 'key-pair-id') return [keyPair.keyPairId];
      if (name === 'fingerprint') return [keyPair.keyFingerprint];
      if (name === 'key-type') return [keyPair.keyType];
      return undefined;
    });
    const includePublicKey = params.bool('IncludePublicKey') ?? false;
    return { keySet: keyPairs.map((keyPair) => keyPairXml(state, keyPair, includePublicKey)) };
  },
};
