/**
 * Reusable objects a step names (`$components.parameters.x`, `$components.successActions.x`,
 * `$components.failureActions.x`), resolved, and merged with the workflow-level ones the step
 * inherits. Validation and lowering both read a step's parameters and actions through here.
 */
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Reporter } from "./context.js"

/** What a step inherits and can refer to. */
export interface Reusables {
  /** The document's `components`. */
  readonly components: Record<string, unknown>
  /** Workflow-level parameters, passed to every step unless the step gives the same one. */
  readonly workflowParameters: ReadonlyArray<unknown>
  /** Workflow-level success and failure actions, applied after the step's own unless it names them too. */
  readonly workflowSuccessActions: ReadonlyArray<unknown>
  readonly workflowFailureActions: ReadonlyArray<unknown>
}

/** A parameter as written, resolved when it is a reusable reference, with where it is written. */
export interface PlacedParameter {
  readonly parameter: Record<string, unknown>
  readonly at: Path
}

/** An action as written, resolved when it is a reusable reference, with where it is written. */
export interface PlacedAction {
  readonly action: Record<string, unknown>
  readonly at: Path
}

const unknownComponent = (reporter: Reporter, at: Path, reference: string, kind: string, table: object) =>
  report(
    reporter,
    [...at, "reference"],
    "error",
    "unknown-component",
    `\`${reference}\` does not name one of components.${kind} (${
      Object.keys(table).map((k) => `\`${k}\``).join(", ") || "there are none"
    })`
  )

const tableOf = (components: Record<string, unknown>, kind: string): Record<string, unknown> =>
  isObject(components[kind]) ? (components[kind] as Record<string, unknown>) : {}

/**
 * `{ reference: $components.parameters.x, value? }` → the component, with `value` overriding
 * the component's value when given; reported when the component does not exist.
 */
export const resolveParameter = (
  parameter: unknown,
  reusables: Reusables,
  reporter: Reporter,
  at: Path
): Record<string, unknown> | undefined => {
  if (!isObject(parameter)) return undefined
  if (!("reference" in parameter)) return parameter
  const reference = String(parameter["reference"])
  const match = /^\$components\.parameters\.(.+)$/.exec(reference)
  const table = tableOf(reusables.components, "parameters")
  const found = match ? table[match[1]!] : undefined
  if (!isObject(found)) {
    unknownComponent(reporter, at, reference, "parameters", table)
    return undefined
  }
  return "value" in parameter ? { ...found, value: parameter["value"] } : found
}

/**
 * The step's parameters, then the workflow's that the step does not give itself (same name and
 * location). With `forCall`, only parameters without `in` (a called workflow's inputs) are
 * inherited; otherwise only those with one. `undefined` when a reference names no component.
 */
export const mergeParameters = (
  raw: Record<string, unknown>,
  reusables: Reusables,
  reporter: Reporter,
  path: Path,
  forCall: boolean
): Array<PlacedParameter> | undefined => {
  const place = (list: ReadonlyArray<unknown>, base: Path) =>
    list.map((p, i) => ({
      parameter: resolveParameter(p, reusables, reporter, [...base, i]),
      at: [...base, i] as Path
    }))
  const mine = place(arrayAt(raw, "parameters"), [...path, "parameters"])
  const inherited = place(reusables.workflowParameters, [...path.slice(0, -2), "parameters"])
  if ([...mine, ...inherited].some((p) => p.parameter === undefined)) return undefined
  const key = (p: Record<string, unknown>) => `${String(p["in"] ?? "")} ${String(p["name"])}`
  const given = new Set(mine.map((p) => key(p.parameter!)))
  const applies = (p: Record<string, unknown>) => (forCall ? p["in"] === undefined : p["in"] !== undefined)
  return [...mine, ...inherited.filter((p) => !given.has(key(p.parameter!)) && applies(p.parameter!))] as Array<
    PlacedParameter
  >
}

/** The component action `$components.<kind>.<name>` names, if there is one. */
export const componentAction = (
  reference: string,
  kind: "successActions" | "failureActions",
  components: Record<string, unknown>
): Record<string, unknown> | undefined => {
  const match = new RegExp(`^\\$components\\.${kind}\\.(.+)$`).exec(reference)
  const found = match ? tableOf(components, kind)[match[1]!] : undefined
  return isObject(found) ? found : undefined
}

/** `{ reference: $components.failureActions.x }` → the component; reported when it does not exist. */
export const resolveAction = (
  action: unknown,
  kind: "successActions" | "failureActions",
  components: Record<string, unknown>,
  reporter: Reporter,
  at: Path
): Record<string, unknown> | undefined => {
  if (!isObject(action)) return undefined
  if (!("reference" in action)) return action
  const reference = String(action["reference"])
  const found = componentAction(reference, kind, components)
  if (found === undefined) {
    const table = tableOf(components, kind)
    unknownComponent(reporter, at, reference, kind, table)
    return undefined
  }
  return found
}

/**
 * The step's own actions, then the workflow's that the step does not override by name.
 * `undefined` when a reference names no component.
 */
export const mergeActions = (
  raw: Record<string, unknown>,
  own: "onSuccess" | "onFailure",
  reusables: Reusables,
  reporter: Reporter,
  path: Path
): Array<PlacedAction> | undefined => {
  const kind = own === "onSuccess" ? "successActions" : "failureActions"
  const inheritedList = kind === "successActions" ? reusables.workflowSuccessActions : reusables.workflowFailureActions
  const place = (list: ReadonlyArray<unknown>, base: Path) =>
    list.map((a, i) => ({
      action: resolveAction(a, kind, reusables.components, reporter, [...base, i]),
      at: [...base, i] as Path
    }))
  const mine = place(arrayAt(raw, own), [...path, own])
  const inherited = place(inheritedList, [...path.slice(0, -2), kind])
  if ([...mine, ...inherited].some((p) => p.action === undefined)) return undefined
  const names = new Set(mine.map((p) => p.action!["name"]))
  return [...mine, ...inherited.filter((p) => !names.has(p.action!["name"]))] as Array<PlacedAction>
}
