/** The error of preparing or importing a generated module for `run`. */
import * as Data from "effect/Data"

/** The generated module could not be turned into something this process can run: a bug, not the user's doing. */
export class ModuleLoadFailed extends Data.TaggedError("ModuleLoadFailed")<{
  readonly module: string
  readonly reason: string
}> {
  override get message() {
    return `cannot load the module generated for ${this.module}: ${this.reason}`
  }
}
