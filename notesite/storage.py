"""Static files under hashed, compressed names, ES module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage that also rewrites `import ... from "./math.js"` to the hashed name.

    Without it a page loads math.js by its hashed name and comments.js imports the plain
    name: the browser runs the module twice, as two modules.
    """

    support_js_module_import_aggregation = True
