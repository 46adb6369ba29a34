/** What a parsed Protobuf schema is to the diff, the printer and the descriptor writer. */
import type { ProtoFile } from './proto-model.js';
import type { IndexedFile, TypeIndex } from './type-index.js';

export interface ProtobufModel {
  readonly file: ProtoFile;
  /** Dependencies first, then the schema's own file (origin LOCAL_ORIGIN). */
  readonly files: readonly IndexedFile[];
  readonly index: TypeIndex;
}
