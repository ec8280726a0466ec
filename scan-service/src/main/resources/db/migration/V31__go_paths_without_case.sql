-- Go module and package paths are compared without regard to case (and without the module
-- proxy's '!' case encoding): tools that follow the purl spec's letter lower-case them, advisories
-- keep Go's capitals. Names stored before are brought to the same form.
UPDATE affected SET name = lower(replace(name, '!', '')) WHERE ecosystem = 'Go';
UPDATE image_components SET name = lower(replace(name, '!', '')) WHERE ecosystem = 'Go';
