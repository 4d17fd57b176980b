import { randomInt } from 'node:crypto';

/** Word lists for generated run names ("<adjective>-<noun>-<n>"), as MLflow names unnamed runs. */
const ADJECTIVES = [
  'able', 'abundant', 'adorable', 'agreeable', 'alert', 'amazing', 'ambitious', 'amusing', 'auspicious', 'awesome',
  'bedecked', 'blushing', 'bold', 'brave', 'bright', 'brawny', 'bustling', 'calm', 'capable', 'carefree', 'caring',
  'casual', 'charming', 'chill', 'classy', 'clean', 'clumsy', 'colorful', 'crawling', 'dapper', 'debonair', 'delicate',
  'righteous', 'rogue', 'rumbling', 'sassy', 'secretive', 'selective', 'serious', 'shivering', 'silent', 'skillful',
  'smiling', 'sneaky', 'sophisticated', 'spiffy', 'stately', 'suave', 'stylish', 'tasteful', 'thoughtful',
  'thundering', 'traveling', 'treasured', 'trusting', 'unequaled', 'upbeat', 'unique', 'unleashed', 'useful',
  'valuable', 'victorious', 'welcoming', 'whimsical', 'wise', 'worried', 'youthful', 'zealous', 'gentle', 'gifted',
  'glamorous', 'grandiose', 'handsome', 'hilarious', 'honorable', 'illustrious', 'incongruous', 'indecisive',
  'industrious', 'intelligent', 'inquisitive', 'judicious', 'kindly', 'languid', 'learned', 'legendary', 'likeable',
  'loud', 'luminous', 'luxuriant', 'lyrical', 'magnificent', 'marvelous', 'masked', 'melodic', 'merciful', 'mercurial',
  'monumental', 'mysterious', 'nebulous', 'omniscient', 'orderly', 'overjoyed', 'peaceful', 'painted', 'persistent',
  'placid', 'polite', 'popular', 'powerful', 'puzzled', 'rebellious', 'receptive', 'redolent', 'resilient',
];

const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp', 'cat', 'chimp', 'cod',
  'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer', 'doe', 'dog', 'dolphin', 'donkey', 'dove',
  'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea', 'fly', 'foal', 'fowl', 'fox', 'frog', 'gnat', 'gnu', 'goat',
  'goose', 'grouse', 'grub', 'gull', 'hare', 'hawk', 'hen', 'hog', 'horse', 'hound', 'jay', 'kit', 'kite', 'koi', 'lamb',
  'lark', 'loon', 'lynx', 'mare', 'midge', 'mink', 'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl', 'ox', 'panda',
  'penguin', 'perch', 'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo', 'rook', 'seal', 'shad', 'shark',
  'sheep', 'shoat', 'shrew', 'shrike', 'shrimp', 'skink', 'skunk', 'sloth', 'slug', 'smelt', 'snail', 'snake', 'snipe',
  'sow', 'sponge', 'squid', 'squirrel', 'stag', 'steed', 'stoat', 'stork', 'swan', 'tern', 'toad', 'trout', 'turtle',
  'vole', 'wasp', 'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
];

const MAX_LENGTH = 20;

function pick(words: readonly string[]): string {
  return words[randomInt(words.length)];
}

/** A fresh readable run name of at most 20 characters, e.g. "bold-owl-412". */
export function generateRunName(): string {
  let name = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    name = `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(1001)}`;
    if (name.length <= MAX_LENGTH) return name;
  }
  return name.slice(0, MAX_LENGTH);
}
