/** Where the campaign store's Redis scripts (`<name>.lua`) are, in the sources and in dist/ (the build copies them). */
export const CAMPAIGN_SCRIPT_DIR = __dirname;
