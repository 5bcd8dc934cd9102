import { ConnectorError, MarshalError, PluginError, RpcError, SecurityError } from "@phobos/errors";
import type { PluginType } from "./types.js";

/**
 * Errors that are part of the plugin contract: engines turn them into wire
 * behaviour (drop the message, reply with a status code, reconnect), so they
 * must reach the engine as they were thrown.
 */
const CONTRACT_ERRORS = [SecurityError, RpcError, ConnectorError, MarshalError] as const;

/** Instance members whose values are themselves hooks: agent actions, aggregate runs. */
const NESTED: Partial<Record<PluginType, { members?: readonly string[]; results?: readonly string[] }>> = {
  agent: { members: ["actions"] },
  aggregate: { results: ["start"] },
};

/** Rollup's re-tagging: who failed, in which hook, with the original as `cause`. */
export function tagError(err: unknown, type: string, name: string, hook: string): unknown {
  if (err instanceof PluginError) return err;
  if (CONTRACT_ERRORS.some((kind) => err instanceof kind)) return err;
  return new PluginError({ pluginType: type, pluginName: name, hook }, err);
}

/**
 * A view of `instance` whose methods re-tag what they throw or reject with
 * as a PluginError naming the plugin and the hook, so a log line says which
 * plugin broke. Contract errors pass through unchanged. The view inherits
 * from the instance (instanceof, symbols and late additions still work) and
 * calls every method with the instance itself as `this`, so classes with
 * private fields keep working; sync methods stay sync.
 */
export function tagPluginErrors<I extends object>(instance: I, type: PluginType, name: string): I {
  return view(instance, type, name, "");
}

function view<I extends object>(target: I, type: PluginType, name: string, prefix: string): I {
  const nested = prefix === "" ? NESTED[type] : undefined;
  const wrapper = Object.create(target) as I;
  for (const [prop, descriptor] of members(target)) {
    const hook = `${prefix}${prop}`;
    if (typeof descriptor.value === "function") {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      const wrapResult = nested?.results?.includes(prop) ?? false;
      Object.defineProperty(wrapper, prop, {
        configurable: true,
        enumerable: descriptor.enumerable ?? false,
        writable: true,
        value: function tagged(...args: unknown[]) {
          let result: unknown;
          try {
            result = method.apply(target, args);
          } catch (err) {
            throw tagError(err, type, name, hook);
          }
          if (isThenable(result)) {
            return Promise.resolve(result).then(
              (value) => (wrapResult && isObject(value) ? view(value, type, name, "") : value),
              (err: unknown) => {
                throw tagError(err, type, name, hook);
              },
            );
          }
          return wrapResult && isObject(result) ? view(result, type, name, "") : result;
        },
      });
    } else if (nested?.members?.includes(prop)) {
      const inner = Reflect.get(target, prop, target);
      if (isObject(inner)) {
        const tagged = view(inner, type, name, `${prop}.`);
        Object.defineProperty(wrapper, prop, { configurable: true, enumerable: true, get: () => tagged });
      }
    } else {
      // Forward reads and writes, so getters run against the real instance.
      Object.defineProperty(wrapper, prop, {
        configurable: true,
        enumerable: descriptor.enumerable ?? false,
        get: () => Reflect.get(target, prop, target),
        set: (value: unknown) => {
          Reflect.set(target, prop, value, target);
        },
      });
    }
  }
  return wrapper;
}

/** String-keyed members of the object and its prototypes (nearest wins), minus Object's own. */
function members(target: object): Map<string, PropertyDescriptor> {
  const found = new Map<string, PropertyDescriptor>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const prop of Object.getOwnPropertyNames(o)) {
      if (prop === "constructor" || found.has(prop)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, prop);
      if (descriptor) found.set(prop, descriptor);
    }
  }
  return found;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObject(value) && typeof (value as { then?: unknown }).then === "function";
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}
