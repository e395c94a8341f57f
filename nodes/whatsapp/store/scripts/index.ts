/** Where the state store's Redis scripts (`<name>.lua`) are, in the sources and in dist/ (the build copies them). */
export const STORE_SCRIPT_DIR = __dirname;
