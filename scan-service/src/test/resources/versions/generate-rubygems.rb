# Writes rubygems-vectors.tsv with Ruby's own Gem::Version (the order RubyGems and Bundler use):
#   ruby generate-rubygems.rb
# Lines: "order<TAB>a<TAB>op<TAB>b" (op < = >, Gem::Version#<=>) and "invalid<TAB>text"
# (Gem::Version.correct? false). Most versions are real ones from RubyGems advisories.
require 'rubygems'

VERSIONS = %w[
0.12.4 1.9.10 5.2.4.4 0.0.15 0.13.1 1.9.14 5.2.5 0.0.19 0.1.3 5.2.6.2 0.0.21 0.15.2 1.9.22 
5.2.8 0.0.25 0.17.5 1.9.4 0.0.4 0.2 1.9.7 5.3.5 0.0.8 0.2.3.5 10.0.0.beta.1 5.5.0 0.1.1 
0.10.2a4 5.5.12 0.1.11 0.26.0 10.1.0.beta.1 5.5.17 0.1.13 0.3.17 10.2.0 0.1.14.pre 0.3.33 
10.3.0 5.5.3 0.1.17 0.3.53 10.4.1 5.6.0 0.1.20 0.11.2 6.0.0 0.1.23 0.4.0.beta1 11.2.0 
6.0.0.beta4 0.1.27 0.4.7 12.0.0.beta1 0.0.10 0.44.4 12.0.0.rc3 6.0.2.2 0.1.5 0.5.12 12.0.0.rc7 
6.0.3.1 0.1.8 0.120.1 6.0.3.4 0.10.0.beta 0.6.0beta1 12.2.1 6.0.3.rc1 0.10.1 0.6.4 12.4.0 0.0.3 
0.64.0 12.6.0 6.0.4.6 0.10.4 0.7.162 13.0.0.beta3 6.0.6 0.10.8 0.124.7 6.0.9 0.11.0 0.7.228 
13.2.0 6.1.0.beta3 0.11.0b2 0.7.32 13.6.0 0.1.14 
3.10 3.2 1 1.2.4.beta 1.2.4 1.3.0 1.0.a10 1.0.a9 1.0.a.10 1.0.a.9 1.0.b.9 1.0.a2 1.0.a.2
1.0 1.0.b1 0.9 1.2.4.gamma 1.0.g1 1.0.0 1.0.0.0 1.0.0-rc1 1.0.0.pre.rc1 1.0.0.rc1
1.0.0-1 1.0.0.pre.1 1.0.0.1 2.0.0.pre 2.0.0.alpha 2.0.0.Alpha 2.0.0.ALPHA 6.1.7.3 7.0.4.2 7.0.4.3
1.13.10 1.13.9 1.14.0.rc1 1.14.0 1.16.2 0.0.0 0.0.1 10.0 9.99 1.a 1.A 1.0.0.a.1 1.0.0.a1 00.1 1.01
999999999999999999999999999991 999999999999999999999999999999
].uniq

INVALID = ['junk', '1..2', '1.2\ 3.4', '1.0-', 'a1', '1.0+build', '1.2.3 beta', '-1', '1.0_beta']

op = ->(a, b) { c = Gem::Version.new(a) <=> Gem::Version.new(b); c < 0 ? '<' : (c > 0 ? '>' : '=') }
rows = []
VERSIONS.each { |v| raise "#{v} is invalid, move it" unless Gem::Version.correct?(v) }
VERSIONS.combination(2) { |a, b| rows << "order\t#{a}\t#{op.(a, b)}\t#{b}" }
INVALID.each do |v|
  raise "#{v} is valid, move it" if Gem::Version.correct?(v)
  rows << "invalid\t#{v}"
end
File.write('rubygems-vectors.tsv',
           "# RubyGems vectors from Ruby #{RUBY_VERSION} RubyGems #{Gem::VERSION} (Gem::Version); generate-rubygems.rb\n" +
           rows.join("\n") + "\n")
