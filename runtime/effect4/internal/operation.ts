/**
 * The operations steps call, declared once per generated module: the source description whose
 * server they are sent to, the method and path template, how their parameters are serialized
 * and the security the OpenAPI description asks for.
 */
import type { HttpMethod } from "../../core/body.js"
import { type OperationOptions, type OperationShape, prepareOperation } from "../../core/request.js"
import type { Source } from "./servers.js"

export interface Operation extends OperationShape {
  readonly source: Source
}

/** Declares an operation; the path template is split once, when the generated module loads. */
export const operation = (source: Source, method: HttpMethod, path: string, options?: OperationOptions): Operation => ({
  ...prepareOperation(method, path, options),
  source
})
