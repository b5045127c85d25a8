// Vitest looks for a config file upwards from here and would take the repository's own (its
// include paths find nothing in this folder). A project of your own needs no config for this example.
export default {};
