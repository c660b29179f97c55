/**
 * A model as parsed from a device, before the schema has checked it: the schema's shape, but any
 * property may be missing and every enumerated name may be any word the device prints. The glue
 * validates it before comparing it with what was declared.
 */
export type Unvalidated<T> = T extends string
    ? string
    : T extends number
      ? number
      : T extends boolean
        ? boolean
        : T extends readonly (infer E)[]
          ? Unvalidated<E>[]
          : T extends object
            ? { [P in keyof T]?: Unvalidated<T[P]> }
            : T;
