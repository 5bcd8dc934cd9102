# An absolute path (the module needs no stdlib).
type Phobos::Absolutepath = Pattern[/\A\/./]
