export { default } from "@phobos/vitest-config";
