/**
 * A small protocol-buffers writer and a bounded reader, enough for the handful of ONNX messages the
 * export and import use (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
 * AttributeProto; see onnx.ts for the field numbers). Wire format:
 * https://protobuf.dev/programming-guides/encoding/ — varint (0), 64-bit (1), length-delimited (2),
 * 32-bit (5). Groups (3, 4) are obsolete and rejected.
 *
 * The reader treats its input as untrusted: every length is checked against the bytes that remain,
 * varints are at most 10 bytes, and nothing is decoded that the caller does not ask for (unknown
 * fields are skipped by their wire type, never recursed into).
 */

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** int32/int64/enum field (negative values as 10-byte two's complement, as protobuf does). */
  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  float32(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** A field as read: varints as bigint, fixed-width as their raw bytes, length-delimited as a view. */
export type ProtoValue = { wire: 0; value: bigint } | { wire: 1 | 5 | 2; bytes: Uint8Array };

export class ProtoError extends Error {}

/** Reads the fields of one message (not recursively). Throws ProtoError on malformed input. */
export function readFields(buf: Uint8Array, what: string): { field: number; v: ProtoValue }[] {
  const out: { field: number; v: ProtoValue }[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (at >= buf.length) throw new ProtoError(`${what}: the data ends inside a number`);
      const byte = buf[at++];
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtoError(`${what}: a number is longer than 10 bytes`);
  };
  while (at < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoError(`${what}: field number 0 is not valid`);
    const take = (n: number): Uint8Array => {
      if (n > buf.length - at) throw new ProtoError(`${what}: field ${field} says ${n} bytes but only ${buf.length - at} remain`);
      const b = buf.subarray(at, at + n);
      at += n;
      return b;
    };
    switch (wire) {
      case 0:
        out.push({ field, v: { wire: 0, value: varint() } });
        break;
      case 1:
        out.push({ field, v: { wire: 1, bytes: take(8) } });
        break;
      case 5:
        out.push({ field, v: { wire: 5, bytes: take(4) } });
        break;
      case 2: {
        const n = varint();
        if (n > BigInt(buf.length - at)) throw new ProtoError(`${what}: field ${field} says ${n} bytes but only ${buf.length - at} remain`);
        out.push({ field, v: { wire: 2, bytes: take(Number(n)) } });
        break;
      }
      default:
        throw new ProtoError(`${what}: unsupported wire type ${wire} (field ${field})`);
    }
  }
  return out;
}

/** A varint field as a signed 64-bit integer, as a number (throws beyond ±2^53). */
export function asInt(v: ProtoValue, what: string): number {
  if (v.wire !== 0) throw new ProtoError(`${what}: expected an integer`);
  const s = BigInt.asIntN(64, v.value);
  if (s > BigInt(Number.MAX_SAFE_INTEGER) || s < BigInt(Number.MIN_SAFE_INTEGER)) throw new ProtoError(`${what}: the integer ${s} is too large`);
  return Number(s);
}

export function asBytes(v: ProtoValue, what: string): Uint8Array {
  if (v.wire !== 2) throw new ProtoError(`${what}: expected length-delimited data`);
  return v.bytes;
}

export function asString(v: ProtoValue, what: string): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(asBytes(v, what));
}

export function asFloat32(v: ProtoValue, what: string): number {
  if (v.wire !== 5) throw new ProtoError(`${what}: expected a 32-bit float`);
  return new DataView(v.bytes.buffer, v.bytes.byteOffset, 4).getFloat32(0, true);
}

/** Packed varints (wire 2) or one unpacked varint (wire 0), as signed numbers. */
export function asInts(v: ProtoValue, what: string): number[] {
  if (v.wire === 0) return [asInt(v, what)];
  const out: number[] = [];
  for (const f of readFields(prefixPacked(asBytes(v, what)), what)) out.push(asInt(f.v, what));
  return out;
}

/** Turns packed varints into a field-1 stream so readFields can walk them (bounded like any message). */
function prefixPacked(bytes: Uint8Array): Uint8Array {
  // each varint ends with a byte < 0x80; insert the tag 0x08 (field 1, varint) before each
  const out: number[] = [];
  let start = true;
  for (const b of bytes) {
    if (start) out.push(0x08);
    out.push(b);
    start = (b & 0x80) === 0;
  }
  return Uint8Array.from(out);
}
