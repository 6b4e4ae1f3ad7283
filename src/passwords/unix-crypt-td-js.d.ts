// unix-crypt-td-js ships no types. Only the string form is used: crypt(password, salt) returns the
// 13-character "ssHHHHHHHHHHH" string, each argument a string of byte values (latin1).
declare module "unix-crypt-td-js" {
  function crypt(password: string, salt: string): string;
  export = crypt;
}
