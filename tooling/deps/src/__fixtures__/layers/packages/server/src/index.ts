export type ServerName = string;
