/** Whether the app's production build (.next/) is newer than every source it is built from. */
export function appBuildIsFresh(root: string): boolean;
