/**
 * `T` with every nested property and array readonly; applied to types inferred from zod schemas.
 *
 * @example
 * type P = DeepReadonly<{ a: { b: number[] } }>; // { readonly a: { readonly b: readonly number[] } }
 */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
