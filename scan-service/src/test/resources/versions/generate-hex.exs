# Writes hex-vectors.tsv with Elixir's own Version module (the SemVer 2.0 order Hex and Mix use):
#   elixir generate-hex.exs
# Lines: "order<TAB>a<TAB>op<TAB>b" (op < = >, Version.compare) and "invalid<TAB>text" (Version.parse :error).
versions = ~w[
  0.0.0 0.0.1 0.1.0 0.9.9 0.10.0 0.99.0 1.0.0 1.0.1 1.1.0 1.2.3 2.0.0 3.0.0 10.20.30
  1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1
  1.0.0-rc1 1.0.0-rc2 1.0.0-rc9 1.0.0-rc10 1.0.0-RC1 1.0.0-0 1.0.0-1 1.0.0-10 1.0.0-2 1.0.0-a-b
  1.2.3+build 1.2.3+otherbuild 1.2.3-beta+build 1.0.0-x.7.z.92 1.0.0-0.3.7 1.0.0--1
  1.6.0 1.6.1 1.6.2 1.7.0-rc.0 1.7.0 1.14.0 1.14.1 0.5.2 0.5.10 2.1.2 2.1.10 3.3.0-dev
]

invalid = ~w[1 1.2 1.2.3.4 01.2.3 1.02.3 1.2.3- 1.2.3-01 v1.2.3 a.b.c 1.2.3-a..b] ++ ["", "1.2.3 beta"]

op = fn a, b ->
  case Version.compare(a, b) do
    :lt -> "<"
    :gt -> ">"
    :eq -> "="
  end
end

Enum.each(versions, fn v -> {:ok, _} = Version.parse(v) end)
rows =
  for {a, i} <- Enum.with_index(versions), {b, j} <- Enum.with_index(versions), i < j do
    "order\t#{a}\t#{op.(a, b)}\t#{b}"
  end

invalid_rows =
  Enum.map(invalid, fn v ->
    :error = Version.parse(v)
    "invalid\t#{v}"
  end)

File.write!(
  "hex-vectors.tsv",
  "# Hex vectors from Elixir #{System.version()} (Version.compare, Version.parse); generate-hex.exs\n" <>
    Enum.join(rows ++ invalid_rows, "\n") <> "\n"
)
