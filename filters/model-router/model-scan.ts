/**
 * @module filters/model-router/model-scan
 * The router's fast read of a request body when no rule looks at the prompt: one strict pass
 * over the top-level object that validates the JSON, takes `model` (its raw span and decoded
 * bytes) and `stream`, and skips every other value without interpreting it — no walk of the
 * messages and no token estimate. Fills a `RequestFacts` like lib/llm's `RequestReader` does, so
 * the rest of the router does not care which read ran; errors use the same codes and messages.
 */
import { ByteBuffer } from "../lib/bytes";
import { CharCode } from "../lib/charcode";
import { LibError } from "../lib/errors";
import { JsonKey } from "../lib/json/key";
import { JsonScanner, JSON_END } from "../lib/json/scanner";
import { isNull, readBool, readString } from "../lib/json/values";
import { ApiKind } from "../lib/llm/api";
import { LlmError } from "../lib/llm/errors";
import { RequestFacts } from "../lib/llm/request-facts";

const MODEL = new JsonKey("model");
const STREAM = new JsonKey("stream");

export class ModelScan {
  private sc: JsonScanner = new JsonScanner(64);
  private buf: ByteBuffer = new ByteBuffer(64);
  readonly facts: RequestFacts = new RequestFacts();

  read(kind: ApiKind, body: Uint8Array, pathModel: Uint8Array | null): RequestFacts {
    const f = this.facts, sc = this.sc;
    f.clear(kind);
    sc.resetBytes(body);
    if (pathModel !== null) { f.model = pathModel; f.modelFromPath = true; }
    if (kind == ApiKind.GeminiStream) f.stream = true;
    const root = sc.root();
    if (root < 0) return this.notJson();
    if (sc.byteAt(root) != CharCode.LBRACE) {
      const e = sc.skipValue(root);
      if (e < 0 || !sc.finish(e)) return this.notJson();
      return this.fail(LlmError.NotObject, root, "", "a JSON object");
    }
    // Gemini names the model only in the path; a body `model` there is not the routing key.
    const pathOnly = kind == ApiKind.GeminiGenerate || kind == ApiKind.GeminiStream || kind == ApiKind.GeminiCountTokens;
    let seenModel = false, seenStream = false;
    let k = sc.firstMember(root);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return this.notJson();
      let e: i32;
      if (sc.keyIs(MODEL) && !pathOnly) {
        if (seenModel) return this.fail(LlmError.DuplicateField, sc.keyStart - 1, "model", "");
        seenModel = true;
        e = this.readModel(v);
        if (f.error != LlmError.None) return f;
      } else if (sc.keyIs(STREAM) && kind != ApiKind.GeminiGenerate && kind != ApiKind.GeminiStream) {
        if (seenStream) return this.fail(LlmError.DuplicateField, sc.keyStart - 1, "stream", "");
        seenStream = true;
        e = sc.skipValue(v);
        if (e >= 0 && !isNull(sc, v)) {
          const b = readBool(sc, v);
          if (b < 0) return this.fail(LlmError.WrongType, v, "stream", "a boolean");
          f.streamInBody = true;
          f.stream = b == 1;
        }
      } else {
        e = sc.skipValue(v);
      }
      if (e < 0) return this.notJson();
      k = sc.memberAfter(e);
    }
    if (k != JSON_END || !sc.finish(sc.containerEnd)) return this.notJson();
    if (f.model === null) {
      if (kind != ApiKind.GeminiGenerate && kind != ApiKind.GeminiStream && kind != ApiKind.GeminiCountTokens) {
        return this.fail(LlmError.MissingModel, -1, "model", "");
      }
    } else if (f.model!.length == 0) {
      return this.fail(LlmError.EmptyModel, f.modelStart, "model", "");
    }
    return f;
  }

  private readModel(v: i32): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    if (sc.byteAt(v) != CharCode.QUOTE) {
      const e = sc.skipValue(v);
      if (e < 0) return e;
      this.fail(LlmError.WrongType, v, "model", "a string");
      return e;
    }
    const buf = this.buf;
    buf.reset();
    const e = readString(sc, v, buf);
    if (e < 0) return e;
    f.modelStart = v + 1;
    f.modelEnd = e - 1;
    f.modelEscaped = sc.sawEscape;
    if (!f.modelFromPath) f.model = buf.toBytes();
    return e;
  }

  private notJson(): RequestFacts {
    const f = this.facts;
    f.error = LlmError.NotJson;
    f.detail = this.sc.error != LibError.None ? this.sc.error : LibError.UnexpectedByte;
    f.errorAt = this.sc.errorAt;
    return f;
  }

  private fail(code: LlmError, at: i32, field: string, expected: string): RequestFacts {
    const f = this.facts;
    if (f.error == LlmError.None) {
      f.error = code;
      f.errorAt = at;
      f.errorField = field;
      f.expected = expected;
    }
    return f;
  }
}
